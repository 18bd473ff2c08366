# The one hooks module: build-time numbers, figures, code execution and KaTeX for the site.
"""MkDocs hooks that make every number, figure, example and formula on the site come from code.

- ``{{ name }}`` in a page becomes the value of the number ``name`` that the page's file
  ``docs/<page>.py`` registers (``vgsite.number``), tagged with ``data-vg-number`` so a test can
  trace it back to its function.
- ``![alt](figures/name.svg)`` is drawn from the figure ``name`` that a page file registers
  (``vgsite.figure``) in a light and a dark version; nothing under ``figures/`` exists in git.
- Every ``python`` fence is executed; its printed output is shown under it, and an exception
  fails a strict build.
- A display formula whose TeX starts with ``% code: vgdocs.module.function`` (one or more
  names, comma-separated) gets a link to that function's entry in the API reference.
- Math from ``pymdownx.arithmatex`` (generic mode) is rendered by KaTeX in one ``node``
  process per build, so pages ship HTML and CSS only; invalid TeX fails a strict build.
- Notebook pages (mkdocs-jupyter, ``docs/notebooks/*.ipynb``) keep their cells only, in the
  site's own markup, and their ``$`` math goes through the same KaTeX pass (last section).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import importlib
import io
import json
import logging
import os
import posixpath
import re
import shutil
import subprocess
import sys
import textwrap
import traceback
from pathlib import Path
from typing import Any

# The experiments multiply small matrices: one BLAS thread per process is faster than several
# fighting over two cores, and one OpenBLAS kernel family gives the same training results on
# every x86-64 CPU (tools/blas_kernel.py). Set before numpy loads (a plain `mkdocs build` gets
# it too); an explicit setting in the environment wins.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import blas_kernel

blas_kernel.pin()

from mkdocs.structure.files import File, Files  # noqa: E402

log = logging.getLogger("mkdocs.hooks.vgdocs")

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
TOOLS = ROOT / "tools"
DOCS = ROOT / "docs"
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
CACHE = ROOT / ".cache" / "vgdocs"
SCHEMES = {"light": "", "dark": "-dark"}

_state: dict[str, Any] = {}


# ---------------------------------------------------------------------------- package


def _load_package() -> tuple[Any, str]:
    """Import ``vgdocs``, the site machinery and every page file afresh; return the registry and code hash.

    ``mkdocs serve`` rebuilds with the code as it is on disk now: an edit to the library, to a
    page file ``docs/<page>.py`` or to ``tools/vgsite`` shows up on the next rebuild. A rebuild
    whose code hash (``_source_hash``, which covers all of these) is the one loaded keeps the
    modules it has: importing them again would give the same registry, only later.
    """
    for path in (SRC, TOOLS):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    loaded = sys.modules.get("vgsite")
    if loaded is not None and getattr(loaded, "loaded_hash", None) == (current := _source_hash()):
        return loaded.registry, current
    for mod in [m for m in sys.modules if m.split(".")[0] in ("vgdocs", "vgsite")]:
        del sys.modules[mod]
    importlib.invalidate_caches()
    site = importlib.import_module("vgsite")
    site.load_all()  # every page file registers its numbers and figures on import
    site.loaded_hash = _source_hash()
    return site.registry, site.loaded_hash


def _library_files() -> list[tuple[str, Path]]:
    """``(name, path)`` of every file of the library, read from ``SRC`` (a test points it elsewhere)."""
    return [(f"src/{p.relative_to(SRC).as_posix()}", p) for p in sorted(SRC.glob("vgdocs/**/*.py"))]


def _library_hash() -> str:
    """Hash of the library (read from ``SRC``) and the versions: what a reader's code depends on.

    The notebook and the python examples import ``vgdocs`` and nothing of the site: their cached
    outputs are filed under this, so editing a page file or the hooks does not re-run them.
    It is ``vgsite.cache.page_hash("")`` when ``SRC`` is this checkout's ``src``.
    """
    from vgsite.cache import code_hash

    return code_hash(_library_files())


def _source_hash() -> str:
    """Hash of the code behind the numbers, figures and experiments: they are cached under it.

    ``vgsite.cache.code_hash``, with the library read from ``SRC`` (a test points it elsewhere).
    """
    from vgsite.cache import code_files, code_hash

    return code_hash([*_library_files(), *(f for f in code_files(ROOT) if not f[0].startswith("src/"))])


def on_config(config: Any) -> Any:
    _state["registry"], _state["hash"] = _load_package()
    _state["library"] = _library_hash()
    _state["math_file"] = _math_cache_path()
    _state["values"] = _stored_numbers()
    _state["values_changed"] = False
    importlib.import_module("vgsite.experiments").configure(CACHE / "experiments")
    _start_figures()
    # mkdocs-jupyter keys its cache on the notebook alone; filing it under the library's hash
    # re-executes the notebook exactly when the code it imports has changed.
    jupyter = config.plugins.get("mkdocs-jupyter") if config is not None else None
    if jupyter is not None and jupyter.config.get("cache"):
        jupyter.config["cache_dir"] = str(CACHE / "notebooks" / _state["library"])
    _notebook_kernel_env()
    # mkdocstrings puts its stylesheet on every page; only the API reference uses it, and that
    # page links it itself (on_page_content), so the other pages load one render-blocking file less.
    if MKDOCSTRINGS_CSS in config.extra_css:
        config.extra_css.remove(MKDOCSTRINGS_CSS)
    # mkdocstrings renders the API pages before on_env: its templates get the cache here (hooks
    # run after the plugins, so its on_config has made its handlers).
    plugin = config.plugins.get("mkdocstrings") if config is not None else None
    try:
        handlers = plugin.handlers if plugin is not None else None
    except RuntimeError:  # its on_config has not run: a test calling this hook on its own
        handlers = None
    # Material's search plugin made its index in its on_config: a page it has indexed before
    # with the same HTML gets its sections back unparsed (vgsite.render_cache).
    search = config.plugins.get("material/search") if config is not None else None
    if getattr(search, "search_index", None) is not None:
        from vgsite.render_cache import cache_search_entries, render_salt

        salt = render_salt([("render_cache", TOOLS / "vgsite" / "render_cache.py")])
        salt += json.dumps(dict(search.config), default=repr)
        cache_search_entries(search.search_index, CACHE / "search", salt)
    if handlers is not None:
        python = handlers.get_handler("python")
        python.env.bytecode_cache = _template_cache()
        _cache_api_renders(python, config)
    return config


def _cache_api_renders(handler: Any, config: Any) -> None:
    """Serve the API reference's entries from disk while the library and ``mkdocs.yml`` are unchanged."""
    from vgsite.render_cache import cache_renders, render_salt

    config_file = Path(config.config_file_path)
    salt = render_salt([*_library_files(), ("mkdocs.yml", config_file),
                        ("render_cache", TOOLS / "vgsite" / "render_cache.py")])
    _state["api_cache"] = salt
    cache_renders(handler, CACHE / "api" / salt)
    # What griffe read of the library, kept for the next rebuild of `mkdocs serve` (on the
    # package, which outlives this module) while the salt says the library is unchanged.
    site = sys.modules["vgsite"]
    kept = getattr(site, "griffe_collections", None)
    if kept is not None and kept[0] == salt:
        handler._modules_collection, handler._lines_collection = kept[1:]
    else:
        site.griffe_collections = (salt, handler._modules_collection, handler._lines_collection)


# ---------------------------------------------------------------------------- files


def _figure_path(name: str, scheme: str) -> Path:
    """A drawn figure, filed under the hash of the code that draws it (``vgsite.cache.page_hash``)."""
    from vgsite.cache import page_hash

    page = _state["registry"].FIGURES[name].page
    return CACHE / "figures" / f"{name}{SCHEMES[scheme]}.{page_hash(page, figure=True)}.svg"


def _start_figures() -> None:
    """Start every experiment and every figure missing from the cache, in worker processes.

    Experiments (training runs) go first: a figure or a number that needs one waits for its
    file lock and loads it when it is stored. The workers run while MkDocs renders the pages;
    ``on_env``, just before files are copied into the site, waits for them.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    registry = _state["registry"]
    experiments = importlib.import_module("vgsite.experiments")
    # Longest first (times of earlier builds, kept across code versions), so that the two
    # workers finish together; runs never timed go first of all.
    timings = _experiment_timings()
    runs = sorted((n for n in experiments.EXPERIMENTS if not experiments.cached(n)),
                  key=lambda n: (-timings.get(n, float("inf")), n))
    # One job per figure, drawing every missing scheme: its data is computed once.
    todo = {n: {s: str(_figure_path(n, s)) for s in SCHEMES if not _figure_path(n, s).exists()}
            for n in sorted(registry.FIGURES)}
    todo = {n: paths for n, paths in todo.items() if paths}
    _state["figure_jobs"] = {}
    if not todo and not runs:
        return
    (CACHE / "figures").mkdir(parents=True, exist_ok=True)
    # fork: the workers inherit the package exactly as this build imported it.
    from vgsite.theme import write_svgs

    pool = ProcessPoolExecutor(max_workers=max(1, min(len(todo) + len(runs), os.cpu_count() or 1)),
                               mp_context=multiprocessing.get_context("fork"))
    _state["figure_pool"] = pool
    jobs = {f"experiment {n!r}": pool.submit(experiments.store, n) for n in runs}
    jobs |= {f"figure {n!r}": pool.submit(write_svgs, n, paths) for n, paths in todo.items()}
    _state["figure_jobs"] = jobs


TIMINGS = CACHE / "experiment-times.json"


def _experiment_timings() -> dict[str, float]:
    """Seconds each experiment took when a build last computed it."""
    try:
        return json.loads(TIMINGS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def on_env(env: Any, config: Any, files: Files) -> Any:
    pool = _state.pop("figure_pool", None)
    timings = _experiment_timings()
    for what, job in _state.pop("figure_jobs", {}).items():
        try:
            took = job.result()
            if what.startswith("experiment ") and took is not None:
                timings[what[len("experiment '"):-1]] = round(float(took), 2)
        except Exception as exc:  # report which job failed, then fail the build
            log.warning("%s could not be computed: %s: %s", what, type(exc).__name__, exc)
            if not what.startswith("figure "):
                continue
            name = what[len("figure '"):-1]
            for suffix in SCHEMES.values():
                bad = files.get_file_from_path(f"figures/{name}{suffix}.svg")
                if bad is not None and not Path(bad.abs_src_path or "").exists():
                    files.remove(bad)
    if timings:
        TIMINGS.parent.mkdir(parents=True, exist_ok=True)
        TIMINGS.write_text(json.dumps(timings, sort_keys=True, indent=1), encoding="utf-8")
    if pool is not None:
        pool.shutdown()
    env.bytecode_cache = _template_cache()  # the theme's: its pages are rendered after this event
    return env


def _template_cache() -> Any:
    """Compiled Jinja templates, kept on disk between builds (for the theme and mkdocstrings).

    Every build (each rebuild of `mkdocs serve` too) makes new Jinja environments, which compile
    every template again: a sizeable share of a rebuild, for templates that rarely change. Jinja's
    own bytecode cache keys each template by its name and file and checks its source, so an edited
    template is compiled afresh.
    """
    from jinja2 import FileSystemBytecodeCache

    directory = CACHE / "jinja"
    directory.mkdir(parents=True, exist_ok=True)
    return FileSystemBytecodeCache(str(directory))


def _katex_css() -> str:
    css = (KATEX_DIST / "katex.min.css").read_text(encoding="utf-8")
    # Browsers that run this site all read woff2: ship only that format.
    return re.sub(
        r'url\((fonts/[\w-]+)\.woff2\) format\("woff2"\)(?:,url\(fonts/[\w-]+\.woff\) '
        r'format\("woff"\))?(?:,url\(fonts/[\w-]+\.ttf\) format\("truetype"\))?',
        r'url(\1.woff2) format("woff2")',
        css,
    )


def on_files(files: Files, config: Any) -> Files:
    registry = _state["registry"]
    for name in sorted(registry.FIGURES):
        for scheme, suffix in SCHEMES.items():
            files.append(File.generated(config, f"figures/{name}{suffix}.svg",
                                        abs_src_path=str(_figure_path(name, scheme))))
    _state["files"] = files
    if not KATEX_DIST.is_dir():
        log.warning("KaTeX is not installed (%s is missing): run `npm ci`", KATEX_DIST)
        return files
    files.append(File.generated(config, "assets/katex/katex.min.css", content=_katex_css()))
    for font in sorted((KATEX_DIST / "fonts").glob("*.woff2")):
        files.append(
            File.generated(config, f"assets/katex/fonts/{font.name}", abs_src_path=str(font))
        )
    return files


# ---------------------------------------------------------------------------- markdown

_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?:\{[ \t]*\.?)?(?P<lang>[\w+-]*)"
    r"(?P<attrs>[^\n]*)\n(?P<code>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.M | re.S,
)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")
_MATH = re.compile(
    r"(?P<math>\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$)"
    r"|(?P<code>`+)[^`]*?(?P=code)",
    re.S,
)
_IMAGE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\((?P<path>(?:\.\./)*figures/(?P<name>[\w-]+)\.svg)\)"
    r"(?P<attrs>\{[^}\n]*\})?"
)


def _run_python(code: str, where: str) -> tuple[str, str | None]:
    """Execute one example in a fresh namespace; return (stdout, error text or None)."""
    out = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, where, "exec"), namespace)
    except Exception:
        return out.getvalue(), traceback.format_exc(limit=-3)
    return out.getvalue(), None


def _execute_fences(markdown: str, page_path: str) -> str:
    pieces: list[str] = []
    last = 0
    for i, m in enumerate(_FENCE.finditer(markdown), start=1):
        if m.group("lang") not in ("python", "py"):
            continue
        indent = m.group("indent")
        code = textwrap.dedent("\n".join(
            line[len(indent):] if line.startswith(indent) else line
            for line in m.group("code").splitlines()
        ))
        # An example imports the library only (readers run it without the site): its output is
        # filed under the library's hash and its own code.
        key = hashlib.sha256((_state["library"] + code).encode()).hexdigest()[:20]
        cached = CACHE / "outputs" / f"{key}.json"
        if cached.exists():
            stdout, error = json.loads(cached.read_text(encoding="utf-8"))
        else:
            stdout, error = _run_python(code, f"{page_path} (python block {i})")
            if error is None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps([stdout, None]), encoding="utf-8")
        if error is not None:
            log.warning("%s: python block %d raised:\n%s", page_path, i, error.rstrip())
        pieces.append(markdown[last:m.end()])
        last = m.end()
        if stdout.strip():
            fence = "`" * max(3, len(m.group("fence")))
            body = textwrap.indent(stdout.rstrip("\n"), indent)
            pieces.append(f'\n\n{indent}{fence}text title="Output"\n{body}\n{indent}{fence}')
    pieces.append(markdown[last:])
    return "".join(pieces)


NUMBERS_FILE = CACHE / "numbers.json"


def _number_keys() -> dict[str, str]:
    """Each registered number's key: the hash of its page file's code (``page_hash(number=True)``)."""
    from vgsite.cache import page_hash

    return {name: page_hash(num.page, number=True) for name, num in _state["registry"].NUMBERS.items()}


def _stored_numbers() -> dict[str, float]:
    """The values in ``NUMBERS_FILE`` whose key is still their number's: an edit of one page file
    recomputes that page's numbers only."""
    keys = _number_keys()
    try:
        stored = json.loads(NUMBERS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: entry["value"] for name, entry in stored.items()
            if name in keys and isinstance(entry, dict) and entry.get("key") == keys[name]}


def _save_numbers() -> None:
    """Write every number this build knows, with its key, atomically."""
    keys = _number_keys()
    entries = {name: {"key": keys[name], "value": value} for name, value in _state["values"].items() if name in keys}
    NUMBERS_FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = NUMBERS_FILE.with_name(f"numbers.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(entries, sort_keys=True), encoding="utf-8")
    tmp.replace(NUMBERS_FILE)


def _value(name: str) -> float:
    """The number ``name``, computed once per version of its page file's code (kept in ``NUMBERS_FILE``)."""
    values = _state["values"]
    if name not in values:
        values[name] = _state["registry"].NUMBERS[name].value()
        _state["values_changed"] = True
    return values[name]


def _number(name: str, *, tex: bool, page_path: str, plain: bool = False) -> str | None:
    registry = _state["registry"]
    num = registry.NUMBERS.get(name)
    if num is None:
        log.warning("%s: no number named {{ %s }} is registered in vgdocs", page_path, name)
        return None
    text = registry.format_number(_value(name), num.fmt, tex=tex)
    if tex:
        return f"\\htmlData{{vg-number={name}}}{{{text}}}"
    if plain:  # an image's alt text holds no markup: 10<sup>−3</sup> reads as 10^−3
        return re.sub(r"<sup>(.*?)</sup>", r"^\1", text)
    return f'<span class="vg-number" data-vg-number="{name}">{text}</span>'


# A figure's alt text, up to the image's path: its numbers become plain text.
_ALT_TEXT = re.compile(r"(?<=!\[)[^\]]*(?=\]\()")


def _substitute(segment: str, *, tex: bool, page_path: str) -> str:
    def repl(m: re.Match[str], plain: bool = False) -> str:
        out = _number(m.group(1), tex=tex, page_path=page_path, plain=plain)
        return m.group(0) if out is None else out

    if not tex:
        segment = _ALT_TEXT.sub(lambda a: _PLACEHOLDER.sub(lambda m: repl(m, plain=True), a.group(0)), segment)
    return _PLACEHOLDER.sub(repl, segment)


def _substitute_numbers(markdown: str, page_path: str) -> str:
    out: list[str] = []
    last_fence = 0
    # Code fences are left alone; examples compute their own numbers.
    for fence in [*_FENCE.finditer(markdown), None]:
        start = fence.start() if fence else len(markdown)
        text = markdown[last_fence:start]
        last = 0
        for m in _MATH.finditer(text):
            out.append(_substitute(text[last:m.start()], tex=False, page_path=page_path))
            if m.group("math"):
                out.append(_substitute(m.group(0), tex=True, page_path=page_path))
            else:
                out.append(m.group(0))
            last = m.end()
        out.append(_substitute(text[last:], tex=False, page_path=page_path))
        if fence:
            out.append(fence.group(0))
            last_fence = fence.end()
    return "".join(out)


def _figures(markdown: str, page_path: str) -> str:
    def repl(m: re.Match[str]) -> str:
        alt, path, name = m.group("alt").strip(), m.group("path"), m.group("name")
        if len(alt) < 15:
            log.warning("%s: figure %s needs alt text that describes it", page_path, name)
        attrs = m.group("attrs") or ""
        dark = path[: -len(".svg")] + "-dark.svg"
        # Lazy: the variant hidden by the colour scheme is never downloaded, and figures below
        # the fold load as the reader scrolls to them.
        # The figure's size in points, as the SVG states it: the page reserves the box before the
        # lazy image arrives (no layout shift).
        spec = _state["registry"].FIGURES.get(name)
        size = f" width={round(spec.size[0] * 72)} height={round(spec.size[1] * 72)}" if spec else ""
        lazy = "{ loading=lazy" + size + " }" if not attrs else attrs[:-1].rstrip() + " loading=lazy" + size + " }"
        return (
            f'\n\n<figure class="vg-figure" markdown="span">\n'
            f"![{alt}]({path}#only-light){lazy}\n![{alt}]({dark}#only-dark){lazy}\n"
            "</figure>\n\n"
        )

    return _IMAGE.sub(repl, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if _is_notebook(page):  # the notebook's JSON: mkdocs-jupyter renders it, not Markdown
        return markdown
    path = page.file.src_uri
    markdown = _execute_fences(markdown, path)
    markdown = _substitute_numbers(markdown, path)
    return _figures(markdown, path)


# ---------------------------------------------------------------------------- math

_ARITHMATEX = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.S)


# MathML Core hides every child of <semantics> but the first, and screen readers read that
# first child: the TeX annotation only adds bytes (3 of the 45 KB gzip of the longest page).
_TEX_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">.*?</annotation>', re.S)


def _katex() -> subprocess.Popen[str]:
    proc = _state.get("node")
    if proc is None or proc.poll() is not None:
        proc = subprocess.Popen(
            [os.environ.get("NODE", "node"), str(ROOT / "tools" / "katex_render.cjs")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            cwd=ROOT,
        )
        _state["node"] = proc
    return proc


# What a typeset formula depends on besides its TeX (numbers are in the TeX by then): KaTeX's
# version, its driver and options, and the code that trims its HTML and counts its font characters.
MATH_CODE = (KATEX_DIST.parent / "package.json", TOOLS / "katex_render.cjs", Path(__file__),
             TOOLS / "vgsite" / "katex_fonts.py")


def _math_cache_path() -> Path:
    """Where typeset formulas are kept: under a hash of ``MATH_CODE``.

    Neither the library nor the page files change how a TeX string is typeset, so editing them
    keeps every formula. Worked out once per build, in on_config (``_state["math_file"]``).
    """
    digest = hashlib.sha256()
    for path in MATH_CODE:
        digest.update(path.read_bytes())
    return CACHE / f"math.{digest.hexdigest()[:16]}.json"


def _math_cache() -> dict[str, dict[str, Any]]:
    """Typeset formulas by display mode and TeX: their HTML and the characters each font draws."""
    path = _state.get("math_file")
    if path is None:  # the hooks used without a build (on_config never ran): memory only
        return _state.setdefault("math_memory", {})
    if _state.get("math_path") != path:  # the first build, or `mkdocs serve` after a code edit
        _state["math"] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        _state["math_path"] = path
        _state["math_changed"] = False
    return _state["math"]


def _save_math_cache() -> None:
    if _state.get("math_changed") and _state.get("math_file"):
        CACHE.mkdir(parents=True, exist_ok=True)
        _state["math_file"].write_text(json.dumps(_state["math"], sort_keys=True), encoding="utf-8")
        _state["math_changed"] = False


def _render_math(items: list[tuple[str, bool]]) -> list[dict[str, str]]:
    """Typeset ``(tex, display)`` items: from the cache, or by KaTeX for those it does not hold.

    Rendering is most of a warm build's math time, and counting which font draws each
    character nearly as much: both are kept per formula, and a formula typesets the same on
    every page and every build of the same code and KaTeX.
    """
    cache = _math_cache()
    keys = [f"{int(display)}{tex}" for tex, display in items]
    todo = sorted({k for k in keys if k not in cache})
    errors: dict[str, dict[str, str]] = {}
    if todo:
        proc = _katex()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps([{"tex": k[1:], "display": k[0] == "1"} for k in todo]) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the KaTeX renderer (node tools/katex_render.cjs) stopped")
        cascade = _font_cascade()
        for key, r in zip(todo, json.loads(line), strict=True):
            if "html" not in r:
                errors[key] = r  # not kept: the build warns about it every time
                continue
            # the TeX source again, inside the MathML: never drawn nor read aloud
            markup = _TEX_ANNOTATION.sub("", r["html"])
            chars: dict[str, set[str]] = {}
            if cascade is not None:
                # The visible half only: the MathML copy is read aloud, not drawn in KaTeX's fonts.
                cascade.characters('<span class="katex">' + markup.split("</math></span>", 1)[-1], chars)
            cache[key] = {"html": markup, "chars": {f: "".join(sorted(c)) for f, c in sorted(chars.items())}}
            _state["math_changed"] = True
    # Kept across the rebuilds of one `mkdocs serve`: a dirty rebuild typesets only some pages.
    drawn = _state.setdefault("katex_chars", {})
    results = []
    for key in keys:
        if key in errors:
            results.append(errors[key])
            continue
        for face, chars in cache[key]["chars"].items():
            drawn.setdefault(face, set()).update(chars)
        results.append({"html": cache[key]["html"]})
    return results


def _font_cascade() -> Any:
    if "katex_cascade" not in _state:
        css = KATEX_DIST / "katex.min.css"
        cascade = None
        if css.is_file():
            from vgsite.katex_fonts import FontCascade

            cascade = FontCascade(css.read_text(encoding="utf-8"))
        _state["katex_cascade"] = cascade
    return _state["katex_cascade"]


# ---------------------------------------------------------------------------- KaTeX fonts

# Characters the page scripts may write into formulas and numbers in KaTeX_Main (the worked
# example's live values, equation numbers) besides those the build typesets.
_SCRIPT_CHARS = "0123456789()+-\u2212.,\u00d7e "


def _subset_fonts(site_dir: str) -> None:
    """Cut each KaTeX font in the site down to the characters the site's formulas draw with it.

    Which face draws a character follows from KaTeX's own stylesheet: vgsite.katex_fonts replays
    its font rules on the HTML of every formula. A face no formula uses keeps every character
    any formula draws (it is never fetched, but stays complete enough to be safe). A math page
    loads 60-80 % fewer font bytes. Subsets are cached by the character sets and the fonts' bytes,
    so a rebuild only copies them; they hold no timestamp, so two builds give the same bytes.
    """
    drawn: dict[str, set[str]] = {k: set(v) for k, v in _state.get("katex_chars", {}).items()}
    fonts_dir = Path(site_dir) / "assets" / "katex" / "fonts"
    if not drawn or not fonts_dir.is_dir():
        return
    drawn.setdefault("KaTeX_Main-Regular", set()).update(_SCRIPT_CHARS)
    everything = set().union(*drawn.values())
    fonts = sorted((KATEX_DIST / "fonts").glob("*.ttf"))
    texts = {f.stem: "".join(sorted(drawn.get(f.stem) or everything)) for f in fonts}
    digest = hashlib.sha256(json.dumps(texts, sort_keys=True).encode())
    for f in fonts:
        digest.update(f.read_bytes())
    cache = CACHE / "fonts" / digest.hexdigest()[:16]
    if not cache.is_dir():
        from fontTools import subset  # lazy: only a build that typesets math needs it
        from fontTools.ttLib import TTFont

        tmp = cache.with_name(cache.name + f".{os.getpid()}.tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        for f in fonts:
            font = TTFont(f, recalcTimestamp=False)  # no build time in the file: reproducible
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=texts[f.stem])
            subsetter.subset(font)
            font.flavor = "woff2"
            font.save(tmp / f"{f.stem}.woff2")
        try:
            os.replace(tmp, cache)
        except OSError:  # another build wrote the same subsets first
            shutil.rmtree(tmp, ignore_errors=True)
    for font in sorted(cache.glob("*.woff2")):
        shutil.copyfile(font, fonts_dir / font.name)
    _state["font_cache"] = cache.name


_CODE_LINE = re.compile(r"^[ \t]*%[ \t]*code:[ \t]*(?P<names>[^\n]*)\n?", re.M)
REFERENCE_DIR = "reference"
MKDOCSTRINGS_CSS = "assets/_mkdocstrings.css"


def reference_page(target: str) -> str:
    """The API reference page of a ``vgdocs`` object: one page per module, ``reference/<module>.md``."""
    return f"{REFERENCE_DIR}/{target.split('.')[1]}.md"


def resolve_code(name: str) -> str | None:
    """Canonical ``module.qualname`` of a ``vgdocs`` object named in a formula, or None."""
    if not name.startswith("vgdocs."):
        return None
    module, _, attr = name.rpartition(".")
    while module:
        try:
            obj = importlib.import_module(module)
        except ImportError:
            module, _, head = module.rpartition(".")
            attr = f"{head}.{attr}"
            continue
        for part in attr.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        qual = getattr(obj, "__qualname__", None)
        mod = getattr(obj, "__module__", None)
        return f"{mod}.{qual}" if qual and mod else name
    return None


def _code_links(tex: str, page: Any, files: Files) -> tuple[str, str]:
    """Strip ``% code:`` lines from ``tex``; return (tex, HTML links to the API reference)."""
    names: list[str] = []
    for m in _CODE_LINE.finditer(tex):
        names += [n.strip() for n in m.group("names").split(",") if n.strip()]
    tex = _CODE_LINE.sub("", tex).strip()
    links = []
    for name in names:
        target = resolve_code(name)
        if target is None:
            log.warning("%s: formula names %r, which is not in vgdocs", page.file.src_uri, name)
            continue
        ref = files.get_file_from_path(reference_page(target))
        if ref is None:
            log.warning("%s: formula names %r, whose module has no API reference page %s",
                        page.file.src_uri, name, reference_page(target))
            continue
        href = f"{ref.url_relative_to(page.file)}#{target}"
        short = target.rsplit(".", 1)[-1]
        links.append(
            f'<a class="vg-code" href="{href}" title="{target}">{html.escape(short)}'
            '<span class="vg-sr-only"> (the function that computes this formula)'
            "</span></a>"
        )
    if not links:
        return tex, ""
    return tex, f'<div class="vg-code-links">{"".join(links)}</div>'



# overrides/main.html defines vgAbsoluteUrls (Material's rule for relative URLs).
_ABSOLUTE_HREF = "vgAbsoluteUrls(document.currentScript.previousElementSibling);"


def on_page_content(html_text: str, page: Any, config: Any, files: Files) -> str:
    from vgsite.tail import mark_tail

    if page.file.src_uri.startswith(f"{REFERENCE_DIR}/"):
        html_text = _tested_by(html_text)
    if 'class="doc doc-' in html_text:
        # In the content, not the head: instant navigation swaps the content in with it.
        href = posixpath.relpath(MKDOCSTRINGS_CSS, posixpath.dirname(page.url) or ".")
        # Made absolute at once, before the content is there to restyle (overrides/main.html).
        html_text = f'<link rel="stylesheet" href="{href}"><script>{_ABSOLUTE_HREF}</script>\n{html_text}'
    # The blocks that are always rendered (vgdocs.css): a page's last ten, a notebook's last
    # three cells, the last three entries of each API listing; one pass over the page.
    if _is_notebook(page):
        html_text = _notebook_page(html_text, page, config, files)
        return mark_tail(html_text, 3, r'class="jp-Notebook"', top=10)
    if "doc-children" in html_text:
        return mark_tail(html_text, 3, r'class="[^"]*\bdoc-children\b', top=10)
    return mark_tail(html_text, 10)


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Render every formula of the finished page, table of contents included, with KaTeX.

    This runs after the search plugin has indexed the page, so the index holds the short TeX
    source of each formula rather than KaTeX's much larger HTML.
    """
    files = _state["files"]
    matches = list(_ARITHMATEX.finditer(output))
    if not matches:
        return output
    items: list[tuple[str, bool]] = []
    links: list[str] = []
    for m in matches:
        body = html.unescape(m.group("body")).strip()
        display = body.startswith("\\[")
        tex, link = _code_links(body[2:-2], page, files) if display else (body[2:-2].strip(), "")
        items.append((tex, display))
        links.append(link)
    rendered = _render_math(items)
    out: list[str] = []
    last = 0
    for m, (tex, display), link, result in zip(matches, items, links, rendered, strict=True):
        out.append(output[last:m.start()])
        if "error" in result:
            log.warning("%s: KaTeX cannot render %r: %s", page.file.src_uri, tex, result["error"])
            out.append(m.group(0))
        elif display:
            out.append(f'<div class="vg-math">{result["html"]}{link}</div>')
        else:
            out.append(result["html"])
        last = m.end()
    out.append(output[last:])
    return _preload_fonts("".join(out), page)


# The two faces nearly every formula uses: KaTeX_Main for upright text, digits and operators,
# KaTeX_Math-Italic for variables. Fetched from the head, they are there before the first layout
# instead of arriving after it and making every formula reflow (a layout shift, and a restyle of
# the whole page per face). Rarer faces (bold, AMS, large delimiters) load as the CSS asks.
_PRELOAD_FONTS = (("KaTeX_Main-Regular.woff2", ""), ("KaTeX_Math-Italic.woff2", 'class="mord mathnormal"'))


def _preload_fonts(output: str, page: Any) -> str:
    if 'class="katex"' not in output or "</head>" not in output:
        return output
    base = posixpath.dirname(page.url) or "."
    links = "".join(
        f'<link rel="preload" href="{posixpath.relpath(f"assets/katex/fonts/{font}", base)}" '
        f'as="font" type="font/woff2" crossorigin>'
        for font, marker in _PRELOAD_FONTS if marker in output
    )
    return output.replace("</head>", links + "</head>", 1)


_DOC_ENTRY = re.compile(
    r'(<h(?P<level>[2-6]) id="(?P<id>vgdocs\.[\w.]+)" class="doc doc-heading">.*?</h(?P=level)>'
    r'.*?<div class="doc doc-contents[^"]*">)',
    re.S,
)


def _tested_by(html_text: str) -> str:
    """Add to each API reference entry the tests that exercise it (read from tests/)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from testmap import covering_tests
    finally:
        sys.path.remove(str(ROOT / "tools"))

    def repl(m: re.Match[str]) -> str:
        # The search index keeps each entry's name and signature, not its whole docstring:
        # the reference alone would otherwise be half of the index every page downloads.
        entry = m.group(0).replace('class="doc doc-contents', 'data-search-exclude class="doc doc-contents', 1)
        tests = covering_tests(m.group("id"))
        if not tests:
            return entry
        shown = ", ".join(f"<code>{html.escape(t)}</code>" for t in tests[:3])
        more = f" and {len(tests) - 3} more" if len(tests) > 3 else ""
        return f'{entry}<p class="vg-tested-by">Tested by {shown}{more}.</p>'

    return _DOC_ENTRY.sub(repl, html_text)


def _stop_node() -> None:
    proc = _state.pop("node", None)
    if proc is not None and proc.poll() is None:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def on_post_build(config: Any) -> None:
    _stop_node()
    _subset_fonts(config["site_dir"])
    _compact_search_index(Path(config["site_dir"]) / "search" / "search_index.json")
    if _state.get("values_changed"):
        _save_numbers()
    _save_math_cache()
    _prune_cache()


_API_ENTRY = re.compile(r"reference/(?P<module>\w+)/#(?P<id>vgdocs\.[\w.]+)")
# A module's own entry on its API page: the heading above its docstring, "…-vgdocsmean_field".
_API_MODULE = re.compile(r"reference/(?P<module>\w+)/#[\w-]*-vgdocs(?P=module)")
_FIRST_PARAGRAPH = re.compile(r"\s*<p>.*?</p>", re.S)
# Build-time markup inside TeX that a reader never types: the number markers and the code comments.
_TEX_MARKUP = re.compile(r"\\htmlData\{[^{}]*\}|% ?code: ?[\w.]+(?:, ?[\w.]+)* ?")


def _compact_search_index(path: Path) -> None:
    """Shorten what the search index (which every page downloads) holds of build-time markup.

    Runs after Material's search plugin wrote the index (hooks run after plugins). An API entry's
    title becomes its name, ``LSTMParams.H``, instead of its whole signature in HTML (a field's
    title was even the page's); the TeX kept in the text loses ``\\htmlData{…}`` markers and
    ``% code:`` comments. A module's entry keeps its docstring's summary paragraph: the rest
    retells a topic page, which the index holds in full (a twelfth of the index's gzip bytes,
    sent with every page). What a reader searches for, words, names and formulas, stays.
    """
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        m = _API_ENTRY.fullmatch(doc["location"])
        if m:
            name = m.group("id").removeprefix(f"vgdocs.{m.group('module')}.")
            doc["title"] = f"<code>{name}</code>"
        elif _API_MODULE.fullmatch(doc["location"]) and (first := _FIRST_PARAGRAPH.match(doc["text"])):
            doc["text"] = first.group(0).strip()
        doc["text"] = _TEX_MARKUP.sub("", doc["text"])
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")


def _prune_cache() -> None:
    """Forget what earlier versions of the code computed: only current entries are kept."""
    figures = {_figure_path(n, s) for n in _state["registry"].FIGURES for s in SCHEMES}
    experiments = importlib.import_module("vgsite.experiments")
    runs = {experiments.stored_path(n) for n in experiments.EXPERIMENTS}
    runs |= {p.with_suffix(".lock") for p in runs if p is not None}
    for path in CACHE.glob("figures/*.svg"):
        if path not in figures:
            path.unlink(missing_ok=True)
    for path in CACHE.glob("experiments/*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)  # the layout of earlier versions
        elif path not in runs:
            path.unlink(missing_ok=True)
    for path in CACHE.glob("numbers.*.json"):  # the one-file-per-code-hash layout of earlier versions
        path.unlink(missing_ok=True)
    for path in CACHE.glob("math.*.json"):
        if path != _state["math_file"]:
            path.unlink(missing_ok=True)
    for old in CACHE.glob("fonts/*"):
        if _state.get("font_cache") and old.name != _state["font_cache"] and not old.name.endswith(".tmp"):
            shutil.rmtree(old, ignore_errors=True)
    for old in CACHE.glob("notebooks/*"):
        if old.name != _state["library"]:
            shutil.rmtree(old, ignore_errors=True)
    for old in CACHE.glob("api/*"):
        if _state.get("api_cache") and old.name != _state["api_cache"]:
            shutil.rmtree(old, ignore_errors=True)


def on_build_error(error: Exception) -> None:
    _stop_node()
    pool = _state.pop("figure_pool", None)
    if pool is not None:
        pool.shutdown(cancel_futures=True)


# ---------------------------------------------------------------------------- notebook pages
# Pages made by the mkdocs-jupyter plugin from docs/notebooks/*.ipynb. The plugin executes the
# notebook and hands on_page_content nbconvert's HTML: JupyterLab's CSS (~570 KB) and a MathJax
# loader inlined, math left as raw $...$ for MathJax, links to .md sources left as they are.
# _notebook_page keeps only the cells, gives them the markup the rest of the site uses (Material
# code blocks, "Output" blocks, header links), turns $...$ / $$...$$ into arithmatex spans for
# the KaTeX pass of on_page_content, resolves .md links and adds the download link.

_NB_START = '<div class="jupyter-wrapper">'
_NB_END = "<!-- jupyter-wrapper -->"
_NB_CLIPBOARD = re.compile(
    r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>'
    r'|<div [^>]*class="clipboard-copy-txt"[^>]*>.*?</div>',
    re.S,
)
_NB_CODE = re.compile(r'<div class="highlight-ipynb hl-[\w+-]+\s*"><pre>(.*?)</pre></div>', re.S)
_NB_STREAM = re.compile(
    r'<div class="jp-RenderedText jp-OutputArea-output[^"]*" data-mime-type="text/plain"[^>]*>'
    r"\s*<pre>(.*?)</pre>",
    re.S,
)
# The kernel flushes a cell's stdout in more than one message when printing is slow (a busy
# machine), and nbconvert renders each message as an output area of its own: join them again,
# so that the page does not depend on how fast the build machine was.
_NB_STREAM_SPLIT = re.compile(
    r'</pre>\s*</div>\s*</div>\s*<div class="jp-OutputArea-child">\s*'
    r'<div class="jp-RenderedText jp-OutputArea-output" data-mime-type="text/plain"[^>]*>\s*<pre>'
)
_NB_IMAGE = re.compile(
    r'<div class="jp-RenderedImage jp-OutputArea-output[^"]*"[^>]*>\s*'
    r'<img [^>]*?src="(?P<src>data:image/png;base64,[^"]+)"[^>]*>\s*</div>',
    re.S,
)
_NB_VERBATIM = re.compile(r"<(pre|code|script|style)\b.*?</\1>", re.S)
_NB_DISPLAY_P = re.compile(r"<p>\s*\$\$([^$<]+?)\$\$\s*</p>")
_NB_DISPLAY = re.compile(r"(?<!\\)\$\$([^$<]+?)\$\$")
_NB_INLINE = re.compile(r"(?<![\\$])\$([^$<]+?)(?<!\\)\$")
_NB_LINK = re.compile(r'href="(?![a-z][\w+.-]*:|/|#)(?P<path>[^"#]+\.(?:md|ipynb))(?P<frag>#[^"]*)?"')


def _is_notebook(page: Any) -> bool:
    return page.file.src_uri.endswith(".ipynb")


def _notebook_kernel_env() -> None:
    """Let the notebook kernel import ``vgdocs`` from this checkout, like the hook does."""
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(SRC) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, paths)])


def _notebook_math(text: str, where: str) -> str:
    """``$$…$$`` and ``$…$`` outside code → arithmatex markup, rendered later by KaTeX."""
    def display(m: re.Match[str]) -> str:
        return f'<div class="arithmatex">\\[{m.group(1)}\\]</div>'

    out: list[str] = []
    last = 0
    for m in [*_NB_VERBATIM.finditer(text), None]:
        prose = text[last:m.start() if m else len(text)]
        prose = _NB_DISPLAY_P.sub(display, prose)
        prose = _NB_DISPLAY.sub(lambda d: f'<span class="arithmatex">\\[{d.group(1)}\\]</span>', prose)
        prose = _NB_INLINE.sub(lambda i: f'<span class="arithmatex">\\({i.group(1)}\\)</span>', prose)
        rest = _ARITHMATEX.sub("", prose)
        if "$" in re.sub(r"<[^>]*>", "", rest):
            log.warning("%s: a '$' in a markdown cell is not part of any math", where)
        if "\\begin{" in rest:  # nbconvert passes LaTeX environments through as text
            log.warning("%s: use $$ \\begin{...} ... $$ for a LaTeX environment", where)
        out.append(prose)
        if m:
            out.append(m.group(0))
            last = m.end()
    return "".join(out)


def _notebook_figures(text: str, page: Any, config: Any, where: str) -> str:
    """Give each plot of the notebook its alt text (the cell's ``metadata.alt``), its size and a file.

    A code cell that draws a figure carries ``"alt"`` in its metadata, in the order the figures
    appear; a figure without one, or an alt without a figure, is a warning (fails a strict build).
    The width and height come from the PNG itself, so the page reserves the figure's box; the PNG
    is written beside the page and loaded lazily (inlined, it would weigh on the page's first load).
    """
    import base64

    source = getattr(page.file, "abs_src_path", None)
    cells = json.loads(Path(source).read_text(encoding="utf-8"))["cells"] if source else []
    alts = [c["metadata"]["alt"] for c in cells if c["cell_type"] == "code" and "alt" in c.get("metadata", {})]
    images = list(_NB_IMAGE.finditer(text))
    if len(images) != len(alts):
        log.warning("%s: %d figures but %d code cells with an 'alt' in their metadata (one per figure)",
                    where, len(images), len(alts))
        return text
    out, last = [], 0
    folder = Path(config["site_dir"]) / posixpath.dirname(page.file.dest_uri) if images else None
    for m, alt in zip(images, alts, strict=True):
        png = base64.b64decode(m.group("src").split(",", 1)[1])
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        name = f"plot-{hashlib.sha256(png).hexdigest()[:12]}.png"
        assert folder is not None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(png)
        out += [text[last:m.start()], f'<figure class="vg-notebook-figure"><img src="{name}" '
                f'alt="{html.escape(alt)}" width="{width}" height="{height}" loading="lazy" '
                'decoding="async"></figure>']
        last = m.end()
    return "".join([*out, text[last:]])


_NB_CELL = '<div class="jp-Cell '
_HEADING = re.compile(r"<h[1-6][\s>]")


def _mark_heading_cells(text: str) -> str:
    """Class the cells that hold a heading ``vg-heading-cell``: vgdocs.css always renders them.

    The theme reads the position of every heading in the table of contents as the page loads;
    a heading inside a skipped (content-visibility) cell would make the browser render that cell
    on the spot, one cell at a time.
    """
    parts = text.split(_NB_CELL)
    for i in range(1, len(parts)):
        if _HEADING.search(parts[i]):
            parts[i] = "vg-heading-cell " + parts[i]
    return _NB_CELL.join(parts)


def _notebook_page(html_text: str, page: Any, config: Any, files: Files) -> str:
    where = page.file.src_uri
    start, end = html_text.find(_NB_START), html_text.find(_NB_END)
    if start < 0 or end < 0:
        log.warning("%s: mkdocs-jupyter's output changed; the notebook markup was not found", where)
        return html_text
    # Only the cells: the <style> (JupyterLab CSS), clipboard and MathJax <script> blocks
    # before and after them are dropped; Material styles the cells instead.
    text = html_text[start:end + len(_NB_END)]
    text = _NB_CLIPBOARD.sub("", text)
    text = _NB_CODE.sub(r'<div class="highlight"><pre><code>\1</code></pre></div>', text)
    text = _NB_STREAM_SPLIT.sub("", text)
    text = _NB_STREAM.sub(
        r'<div class="highlight"><span class="filename">Output</span><pre><code>\1</code></pre>', text
    )
    text = text.replace('class="anchor-link"', 'class="headerlink" title="Permanent link"')
    text = _notebook_figures(text, page, config, where)
    text = _notebook_math(text, where)

    def link(m: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(where), m.group("path")))
        file = files.get_file_from_path(target)
        if file is None:
            log.warning("%s: the notebook links to %s, which is not in the docs", where, target)
            return m.group(0)
        return f'href="{file.url_relative_to(page.file)}{m.group("frag") or ""}"'

    text = _NB_LINK.sub(link, text)
    text = _mark_heading_cells(text)
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is not None and plugin.config.get("include_source"):
        name = posixpath.basename(where)  # the plugin copies the notebook beside the page
        button = (
            f'<p class="vg-notebook-download"><a class="md-button" href="{name}" download>'
            "Download the notebook</a> (without outputs: run it with <code>vgdocs</code> "
            "installed)</p>"
        )
        h1 = text.find("</h1>")
        text = text[:h1 + 5] + button + text[h1 + 5:] if h1 >= 0 else button + text
    return text
