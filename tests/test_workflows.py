"""The GitHub Actions workflows and .ci/run: schema-valid, zizmor-clean, least privilege.

The tools are taken from the running interpreter's environment (the project's .venv),
so the versions pinned in the lock file are the ones that judge the workflows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted([*WORKFLOW_DIR.glob("*.yml"), *WORKFLOW_DIR.glob("*.yaml")])
DOCS_WORKFLOW = WORKFLOW_DIR / "docs.yml"
CI_RUN = ROOT / ".ci" / "run"
BIN = Path(sys.executable).parent

SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
DOCKER_PIN = re.compile(r"^docker://[^@\s]+@sha256:[0-9a-f]{64}$")
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
VERSION_COMMENT = re.compile(r"^\s+#\s*v\d+(?:\.\d+){0,2}\b")


def _tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable}: install the test extra")
    return path


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    return data


def _triggers(workflow: dict[str, Any]) -> Any:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def _steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])
    ]


def _action(step: dict[str, Any]) -> str:
    """`owner/repo` of a step's `uses:`, without the ref ('' for `run:` steps)."""
    return str(step.get("uses", "")).split("@", 1)[0]


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [str(a) for a in args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def docs() -> dict[str, Any]:
    return _load(DOCS_WORKFLOW)


def test_there_are_workflows() -> None:
    assert DOCS_WORKFLOW in WORKFLOWS


# --- (a) schema -------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_github_schema(path: Path) -> None:
    result = _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", path)
    assert result.returncode == 0, result.stdout + result.stderr


# --- (b) zizmor ---------------------------------------------------------------------------


def test_zizmor_reports_nothing() -> None:
    result = _run(_tool("zizmor"), "--offline", "--no-progress", "--color=never", WORKFLOW_DIR)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No findings to report" in output, output


# --- (c) structure ------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_top_level_permissions_are_empty(path: Path) -> None:
    workflow = _load(path)
    assert "permissions" in workflow, "set `permissions: {}` at the top level"
    assert workflow["permissions"] == {}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_declares_its_permissions(path: Path) -> None:
    for job_id, job in _load(path)["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"job {job_id} has no permissions"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_only_deploy_may_write_pages_or_mint_id_tokens(path: Path) -> None:
    for job_id, job in _load(path)["jobs"].items():
        perms = job.get("permissions", {})
        writes = {scope for scope, level in perms.items() if level == "write"}
        if job_id == "deploy":
            assert writes == {"pages", "id-token"}, perms
        else:
            assert not writes, f"job {job_id} asks for write access: {perms}"


def test_deploy_has_the_pages_permissions(docs: dict[str, Any]) -> None:
    assert docs["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_sha(path: Path) -> None:
    for job_id, step in _steps(_load(path)):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        assert SHA_PIN.match(uses) or DOCKER_PIN.match(uses), (
            f"job {job_id}: `{uses}` is not pinned to a full commit SHA (or image digest)"
        )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_pin_names_its_release(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = USES_LINE.match(line)
        if not match or match["ref"].startswith("./"):
            continue
        assert VERSION_COMMENT.match(match["rest"]), (
            f"{path.name}:{number}: follow the pinned SHA with a `# vX.Y.Z` comment"
        )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkout_does_not_persist_credentials(path: Path) -> None:
    checkouts = [(j, s) for j, s in _steps(_load(path)) if _action(s) == "actions/checkout"]
    for job_id, step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, (
            f"job {job_id}: actions/checkout needs `persist-credentials: false`"
        )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expressions_inside_run_scripts(path: Path) -> None:
    for job_id, step in _steps(_load(path)):
        assert "${{" not in str(step.get("run", "")), (
            f"job {job_id}, step {step.get('name')!r}: pass the value through `env:`"
        )


def test_triggers(docs: dict[str, Any]) -> None:
    on = _triggers(docs)
    assert set(on) == {"pull_request", "push", "workflow_dispatch"}
    assert on["push"]["branches"] == ["main"]


def test_concurrency_group(docs: dict[str, Any]) -> None:
    concurrency = docs.get("concurrency")
    assert isinstance(concurrency, dict), "set a workflow-level concurrency group"
    assert concurrency.get("group"), concurrency


def test_test_job_runs_make_test_and_uploads_the_site(docs: dict[str, Any]) -> None:
    steps = docs["jobs"]["test"]["steps"]
    runs = [str(step.get("run", "")).strip() for step in steps]
    assert "make test" in runs
    assert "make build" in runs
    uploads = [s for s in steps if _action(s) == "actions/upload-pages-artifact"]
    assert len(uploads) == 1
    assert uploads[0]["with"]["path"] == "site"
    assert "refs/heads/main" in uploads[0].get("if", ""), "upload only from main"


def test_deploy_job_uses_deploy_pages(docs: dict[str, Any]) -> None:
    deploy = docs["jobs"]["deploy"]
    needs = deploy["needs"]
    assert "test" in ([needs] if isinstance(needs, str) else needs)
    assert "push" in deploy["if"] and "refs/heads/main" in deploy["if"]
    assert deploy["environment"]["name"] == "github-pages"
    deploy_steps = [s for s in deploy["steps"] if _action(s) == "actions/deploy-pages"]
    assert len(deploy_steps) == 1
    step_id = deploy_steps[0]["id"]
    assert f"steps.{step_id}.outputs.page_url" in deploy["environment"]["url"]


def test_workflows_are_linted_in_ci(docs: dict[str, Any]) -> None:
    scripts = "\n".join(str(s.get("run", "")) for s in docs["jobs"]["lint-workflows"]["steps"])
    assert "actionlint" in scripts
    assert "zizmor" in scripts


# --- (d) .ci/run --------------------------------------------------------------------------


def test_ci_run_is_an_executable_bash_script() -> None:
    assert CI_RUN.is_file()
    assert os.access(CI_RUN, os.X_OK), ".ci/run is not executable"
    text = CI_RUN.read_text(encoding="utf-8")
    assert text.splitlines()[0] in {"#!/usr/bin/env bash", "#!/bin/bash"}
    assert "set -euo pipefail" in text


def test_ci_run_runs_the_readme_test_command() -> None:
    commands = [
        line.strip()
        for line in CI_RUN.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1] in {"make test", "exec make test"}, commands[-1]


def test_ci_run_installs_chromium_only_as_root() -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    assert "apt-get install -y chromium" in text
    assert "id -u" in text
