"""The notebook page: stored clean, executed at build time, styled and typeset like the rest of the site.

docs/notebooks/worked-example.ipynb is rendered by mkdocs-jupyter and post-processed by the
notebook section of tools/mkdocs_hooks.py. These tests check the stored notebook, the built page
(values, KaTeX math, no remote or inlined JupyterLab assets, the download link), the hook's
notebook functions on their own, and that a cell that raises fails the build.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest
from bs4 import BeautifulSoup
from mkdocs.structure.files import Files

from conftest import copy_project, mkdocs_build
from vgdocs.activations import sigmoid_prime
from vgdocs.worked_example import chain_gradients, forward, grad_W1, grad_W2, squared_error

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "worked-example.ipynb"
PAGE = "notebooks/worked-example/index.html"
PAGE_BUDGET = 600_000  # bytes on first load: HTML + CSS + JS + fonts + images

# The article's inputs.
X, W1, W2, Y = 1.0, 0.5, 0.5, 1.0


def _sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _visible_text(soup: BeautifulSoup) -> str:
    for el in soup.select(".katex-mathml, pre, code, script, style"):
        el.decompose()
    return soup.get_text()


@pytest.fixture(scope="module")
def page(html_pages: dict[str, str]) -> str:
    assert PAGE in html_pages, f"no notebook page in the build: {sorted(html_pages)}"
    return html_pages[PAGE]


@pytest.fixture(scope="module")
def outputs(page: str) -> str:
    """The text of every output block of the executed notebook."""
    soup = BeautifulSoup(page, "html.parser")
    blocks = [el.find_parent(class_="highlight") for el in soup.select(".jupyter-wrapper .filename")]
    return "\n".join(b.get_text() for b in blocks if b is not None)


# ---------------------------------------------------------------------------- the stored notebook


def test_notebook_is_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) >= 5
    for cell in code:
        assert cell.outputs == [], f"cell {cell.id} has stored outputs"
        assert cell.execution_count is None, f"cell {cell.id} has an execution count"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_notebook_markdown_types_no_results() -> None:
    """Results are printed by code cells; markdown cells only use inputs (x = 1, W = 1/2, ...)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            typed = re.findall(r"(?<![\w.])\d+\.\d+", re.sub(r"`[^`]*`", "", cell.source))
            assert not typed, f"markdown cell {cell.id} types results {typed}"


def test_only_notebooks_become_notebook_pages(tmp_path: Path) -> None:
    """With ``include: ["*.ipynb"]`` a .py file, or a jupytext .md with a python kernel, stays what it is."""
    from mkdocs.config import load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    plugin = load_config(str(ROOT / "mkdocs.yml")).plugins["mkdocs-jupyter"]
    assert plugin.config["execute"] is True and plugin.config["allow_errors"] is False
    assert plugin.config["include_source"] is True
    # Its own cache key ignores src/vgdocs; the hook files the cache under the package hash.
    assert plugin.config["cache"] is True
    assert not plugin.config["include_requirejs"] and not plugin.config["custom_mathjax_url"]
    files = {
        "script.py": "# %%\nprint(1)\n",
        "paired.md": "---\njupyter:\n  kernelspec:\n    display_name: Python 3\n    language: python\n"
                     "    name: python3\n---\n\n# Title\n\n```python\nprint(1)\n```\n",
        "real.ipynb": NOTEBOOK.read_text(encoding="utf-8"),
    }
    included = set()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        if plugin.should_include(SimpleNamespace(abs_src_path=str(tmp_path / name))):
            included.add(name)
    assert included == {"real.ipynb"}


# ---------------------------------------------------------------------------- the built page


@pytest.mark.build
def test_page_shows_the_worked_example_values(outputs: str) -> None:
    # Closed forms, independent of the package ...
    h = _sig(W1 * X)
    y_hat = _sig(W2 * h)
    s1, s2 = h * (1 - h), y_hat * (1 - y_hat)
    g1 = 2 * (y_hat - Y) * s2 * W2 * s1 * X
    g2 = 2 * (y_hat - Y) * s2 * h
    # ... agree with the package ...
    assert math.isclose(grad_W1(X, W1, W2, Y), g1, rel_tol=1e-12)
    assert math.isclose(grad_W2(X, W1, W2, Y), g2, rel_tol=1e-12)
    fp = forward(X, W1, W2)
    # ... and with what the executed notebook printed.
    expected = [
        f"= {h:.3f}",
        f"= {y_hat:.3f}",
        f"= {squared_error(fp.y_hat, Y):.3f}",
        f"= {2 * (y_hat - Y):.3f}",
        f"= {s2:.3f} * 0.5 = {s2 * W2:.3f}",
        f"= {s1:.3f} * 1 = {s1 * X:.3f}",
        f"dL/dW1 = {grad_W1(X, W1, W2, Y):.3f}",
        f"dL/dW2 = {grad_W2(X, W1, W2, Y):.3f}",
        f"= {g2 / g1:.1f}",
        f"chain rule {g1:+.9f}, finite difference {g1:+.9f}",
        f"chain rule {g2:+.9f}, finite difference {g2:+.9f}",
    ]
    for text in expected:
        assert text in outputs, f"{text!r} is not in the notebook's output"
    # The source article's published values.
    for value in ("0.622", "0.577", "0.179", "-0.024", "-0.128", "5.3"):
        assert value in outputs


@pytest.mark.build
def test_page_shows_the_depth_experiment(outputs: str) -> None:
    rows = {}
    for line in outputs.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0].isdigit():
            rows[int(parts[0])] = [float(p) for p in parts[1:]]
    assert sorted(rows) == list(range(1, 13))
    for n, (first, last, ratio, *shrink) in rows.items():
        g = chain_gradients(X, [0.5] * n, Y)
        assert first == pytest.approx(g[0], rel=1e-3) and last == pytest.approx(g[-1], rel=1e-3)
        assert ratio == pytest.approx(g[-1] / g[0], rel=1e-2)
        if n >= 3:  # each extra layer: at least 1 / (sigma'(0) * 1/2) = 8
            assert shrink[0] >= 8.0
    # n = 2 is the worked example (closed form, not the package).
    h = _sig(0.5)
    y_hat = _sig(0.5 * h)
    g1 = 2 * (y_hat - 1) * y_hat * (1 - y_hat) * 0.5 * h * (1 - h)
    assert rows[2][0] == pytest.approx(g1, rel=1e-3)
    assert sigmoid_prime(0.0) == 0.25


@pytest.mark.build
def test_math_is_typeset_by_katex_at_build_time(page: str) -> None:
    soup = BeautifulSoup(page, "html.parser")
    nb = soup.select_one(".jupyter-wrapper")
    assert nb is not None
    source = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "markdown")
    displays = source.count("$$") // 2
    inline = (source.count("$") - 4 * displays) // 2
    assert displays >= 6 and inline >= 20
    assert len(nb.select(".katex-display")) == displays
    assert len(nb.select(".katex")) == displays + inline
    assert not nb.select(".arithmatex"), "math left for a browser-side renderer"
    assert "MathJax" not in page and "mathjax" not in page.lower()
    text = _visible_text(BeautifulSoup(str(nb), "html.parser"))
    for marker in ("$", "\\(", "\\[", "\\frac", "\\sigma", "\\partial", "% code:"):
        assert marker not in text, f"raw TeX {marker!r} in the notebook's visible text"
    # Display formulas link to the function that computes them, as on the other pages.
    links = {a["href"] for a in nb.select("a.vg-code")}
    assert "../../reference/worked_example/#vgdocs.worked_example.grad_W1" in links
    assert "../../reference/worked_example/#vgdocs.worked_example.chain_gradients" in links


@pytest.mark.build
def test_page_loads_nothing_remote_and_no_jupyterlab_assets(page: str) -> None:
    soup = BeautifulSoup(page, "html.parser")
    for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
        for el in soup.find_all(tag):
            url = el.get(attr)
            if url is None or (tag == "link" and not {"stylesheet", "preload"} & set(el.get("rel") or [])):
                continue  # <link rel="canonical"> and the like load nothing
            assert url, f"empty {tag} {attr}"
            assert not re.match(r"(?:[a-z]+:)?//", url), f"{tag} loads {url}"
    assert "require.js" not in page and "requirejs" not in page.lower()
    assert "--jp-" not in page, "JupyterLab CSS is still inlined"
    assert "clipboard-copy" not in page
    assert not soup.select(".jupyter-wrapper style, .jupyter-wrapper script")
    assert len(page.encode()) < 300_000


@pytest.mark.build
def test_page_looks_like_the_rest_of_the_site(page: str) -> None:
    soup = BeautifulSoup(page, "html.parser")
    nb = soup.select_one(".jupyter-wrapper")
    assert soup.select_one("h1").get_text(strip=True).startswith("The worked example as a notebook")
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    code_cells = sum(c.cell_type == "code" for c in cells)
    output_blocks = len(nb.select("div.highlight > .filename"))  # "Output" blocks, as on other pages
    assert output_blocks == code_cells - 1  # every cell but the imports prints
    assert len(nb.select("div.highlight > pre > code")) == code_cells + output_blocks  # Material code blocks
    assert not nb.select(".highlight-ipynb, .jp-InputPrompt, .jp-OutputPrompt")
    assert not nb.select("a.anchor-link") and nb.select("h2 a.headerlink")
    hrefs = {a["href"] for a in nb.select("a[href]")}
    assert "../../article/" in hrefs and "../../sigmoid-derivative/" in hrefs
    assert not [h for h in hrefs if h.endswith(".md")]


@pytest.mark.build
def test_page_has_a_download_link_to_the_notebook(page: str, site_dir: Path) -> None:
    soup = BeautifulSoup(page, "html.parser")
    links = [a for a in soup.select("a[download]") if "Download the notebook" in a.get_text()]
    assert len(links) == 1
    target = site_dir / "notebooks" / "worked-example" / links[0]["href"]
    assert target.is_file()
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(NOTEBOOK.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- the hook on its own


@pytest.fixture(scope="module")
def hooks() -> Any:
    spec = importlib.util.spec_from_file_location("vgdocs_hooks_under_test", ROOT / "tools" / "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    module._stop_node()


def _nb_html(markdown_html: str) -> str:
    return (
        '<style>.jupyter-wrapper{--jp-x:1}</style><script src=""></script>'
        '<div class="jupyter-wrapper"><div class="jp-Cell jp-MarkdownCell">'
        f'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">{markdown_html}</div>'
        "</div></div><!-- jupyter-wrapper --><style>.jp-y{}</style>"
    )


def _render(hooks: Any, markdown_html: str) -> str:
    page = SimpleNamespace(file=SimpleNamespace(src_uri="notebooks/demo.ipynb"))
    config = SimpleNamespace(plugins={})
    html_text = hooks.on_page_content(_nb_html(markdown_html), page, config, Files([]))
    # Math is rendered last, on the finished page (on_post_page).
    hooks._state["files"] = Files([])
    return hooks.on_post_page(html_text, page, config)


def test_hook_renders_notebook_math_and_strips_jupyterlab_assets(hooks: Any, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.vgdocs"):
        out = _render(hooks, "<p>Inline $a &lt; b$ and</p>\n<p>$$\n\\frac{1}{2}\n$$</p>"
                             "<p>$$\\begin{aligned}a &amp;= b\\\\ c &amp;= d\\end{aligned}$$</p>"
                             "<pre>cost = $5 + $6</pre><p><code>$x$</code></p>")
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert "<style" not in out and "<script" not in out
    assert out.count('class="katex"') == 3 and out.count('class="vg-math"') == 2
    assert "<p><div" not in out  # a display formula replaces its paragraph
    assert "<pre>cost = $5 + $6</pre>" in out and "<code>$x$</code>" in out  # code is left alone


@pytest.mark.parametrize("bad", ["<p>$\\frac{1}{$ and $x$</p>", "<p>$$\\notacommand$$</p>", "<p>costs $5</p>",
                                 "<p>\\begin{align}a\\end{align}</p>"])
def test_hook_warns_on_bad_notebook_math(hooks: Any, caplog: Any, bad: str) -> None:
    """A warning is what makes ``mkdocs build --strict`` fail."""
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.vgdocs"):
        _render(hooks, bad)
    assert any(m in r.getMessage() for r in caplog.records for m in ("KaTeX cannot render", "'$'", "\\begin"))


def test_hook_joins_a_cell_output_the_kernel_sent_in_two_messages(hooks: Any) -> None:
    """A slow machine splits one cell's stdout into two stream outputs; the page must not show it."""
    def area(text: str) -> str:
        return ('<div class="jp-OutputArea-child">\n<div class="jp-RenderedText jp-OutputArea-output" '
                f'data-mime-type="text/plain" tabindex="0">\n<pre>{text}</pre>\n</div>\n</div>\n')

    page = SimpleNamespace(file=SimpleNamespace(src_uri="notebooks/demo.ipynb"))
    config = SimpleNamespace(plugins={})
    split = hooks.on_page_content(_nb_html(area("1 one\n2 two\n") + area("3 three\n")), page, config, Files([]))
    whole = hooks.on_page_content(_nb_html(area("1 one\n2 two\n3 three\n")), page, config, Files([]))
    assert split == whole
    assert split.count('<span class="filename">Output</span>') == 1
    assert "1 one\n2 two\n3 three\n" in split


def test_hook_warns_on_a_link_to_a_missing_page(hooks: Any, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.vgdocs"):
        _render(hooks, '<p><a href="../no-such-page.md">x</a></p>')
    assert any("no-such-page.md" in r.getMessage() for r in caplog.records)


def test_hook_leaves_the_notebook_json_alone(hooks: Any, caplog: Any) -> None:
    """Placeholders and fences are Markdown-page syntax; in a notebook they are just text."""
    page = SimpleNamespace(file=SimpleNamespace(src_uri="notebooks/demo.ipynb"))
    source = '{"cells": [{"source": ["print(f\\"{{ not_a_number }}\\")"]}]}'
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.vgdocs"):
        assert hooks.on_page_markdown(source, page, None, Files([])) == source
    assert not caplog.records


# ---------------------------------------------------------------------------- builds of a copy


def _copy_project(tmp_path: Path) -> Path:
    """The tracked files and the notebook, without the Markdown pages, in a temporary directory.

    Without the Markdown pages a build reaches the notebook at once; their absence only causes
    warnings, while a raising cell is an error that stops the build there and then.
    """
    project = copy_project(tmp_path / "project",
                           keep=lambda name: not (name.startswith("docs/") and name.endswith(".md")))
    (project / ".cache").mkdir()
    if (ROOT / ".cache" / "vgdocs").is_dir():  # figures and outputs, keyed by content
        (project / ".cache" / "vgdocs").symlink_to(ROOT / ".cache" / "vgdocs")
    return project


@pytest.mark.build
def test_a_cell_that_raises_fails_the_build(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    copy = project / NOTEBOOK.relative_to(ROOT)
    nb = nbformat.read(copy, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        'raise RuntimeError("injected fault: vgdocs notebook cell")', id="fault"))
    nbformat.write(nb, copy)

    proc = mkdocs_build(project, tmp_path / "site")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log[-3000:]
    assert "injected fault: vgdocs notebook cell" in log, log[-3000:]
    assert not (tmp_path / "site" / "notebooks" / "worked-example" / "index.html").exists()


# ---------------------------------------------------------------------------- page weight


# Run in a child process: Playwright's sync API refuses to start inside another test's event loop.
_MEASURE = r"""
import functools, http.server, json, sys, threading
sys.path.insert(0, sys.argv[2])
from browser import launch

http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
origin = f"http://127.0.0.1:{httpd.server_address[1]}"


def size(response):
    try:
        return len(response.body()) if response.ok else 0
    except Exception:  # redirects and aborted requests have no body
        return 0


result = {}
with launch() as browser:
    for scheme in ("light", "dark"):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = ctx.new_page()
        requested, sizes = [], {}
        page.on("request", lambda r: requested.append(r.url))
        page.on("response", lambda r: sizes.__setitem__(r.url, size(r)))
        page.goto(f"{origin}/notebooks/worked-example/")
        page.wait_for_load_state("networkidle")
        ctx.close()
        result[scheme] = {"remote": [u for u in requested if not u.startswith(origin)],
                          "sizes": {u[len(origin):]: s for u, s in sizes.items() if u.startswith(origin)}}
httpd.shutdown()
print(json.dumps(result))
"""


@pytest.mark.build
@pytest.mark.browser
def test_first_load_of_the_notebook_page_is_small(site_dir: Path) -> None:
    """Everything the browser fetches for the page (bar the site-wide search index) ≤ 600 KB."""
    if os.environ.get("VGDOCS_SKIP_BROWSER"):
        pytest.skip("VGDOCS_SKIP_BROWSER is set")
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(site_dir), str(ROOT / "tools")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for scheme, seen in json.loads(proc.stdout).items():
        assert not seen["remote"], f"{scheme}: requests to other hosts {seen['remote']}"
        own = {u: s for u, s in seen["sizes"].items() if u != "/search/search_index.json"}
        total = sum(own.values())
        listing = "\n".join(f"{s:>9} {u}" for u, s in sorted(own.items(), key=lambda kv: -kv[1]))
        assert total <= PAGE_BUDGET, f"{scheme}: {total} bytes on first load\n{listing}"
        assert own["/notebooks/worked-example/"] > 20_000  # the page itself was measured


def test_notebook_cache_is_filed_under_the_library_hash(hooks: Any, tmp_path: Path,
                                                        monkeypatch: Any) -> None:
    """mkdocs-jupyter's own cache key ignores src/: the hook makes a library change re-run it.

    The key is the library's alone (``vgsite.cache.page_hash("")``: ``src/vgdocs`` and the
    versions), so an edit of a page file or of the hooks keeps the executed notebook.
    """
    from mkdocs.config import load_config

    from vgsite.cache import page_hash

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(ROOT / "mkdocs.yml"))
    monkeypatch.setattr(hooks, "_start_figures", lambda: None)
    hooks.on_config(config)
    cache_dir = Path(config.plugins["mkdocs-jupyter"].config["cache_dir"])
    assert cache_dir.name == page_hash("") and cache_dir.parent.name == "notebooks"
    assert cache_dir.name != hooks._state["hash"]  # not the hash of all the code
    # A one-line change to the package gives another hash, hence another cache directory.
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src", src)
    (src / "vgdocs" / "worked_example.py").write_text(
        (src / "vgdocs" / "worked_example.py").read_text(encoding="utf-8") + "\n# changed\n",
        encoding="utf-8")
    before, before_library = hooks._source_hash(), hooks._library_hash()
    monkeypatch.setattr(hooks, "SRC", src)
    assert hooks._source_hash() != before
    assert hooks._library_hash() != before_library


def test_the_build_keeps_the_executed_notebook_for_the_next(site_dir: Path) -> None:
    """The session's build leaves the executed notebook in the cache, under the library's hash,
    and its pruning keeps it: the next build reads it instead of running the notebook again."""
    from vgsite.cache import page_hash

    kept = ROOT / ".cache" / "vgdocs" / "notebooks" / page_hash("")
    assert kept.is_dir() and list(kept.glob("*.json")), f"no executed notebook kept in {kept}"
