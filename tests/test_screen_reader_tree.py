"""What a screen reader gets at load: every formula and every sentence, skipped blocks included.

The stylesheet lets the browser skip off-screen blocks and KaTeX's hidden MathML copies
(``content-visibility: auto``, see docs/stylesheets/vgdocs.css). Chromium still builds their
accessibility nodes when assistive technology is running: it then runs with full renderer
accessibility from the start, which ``--force-renderer-accessibility`` reproduces here. Each
heavy page's tree just after load is compared with the same page's tree once every block has
been rendered: the first must hold as many formulas (KaTeX's MathML, the part screen readers
read) and every word of the second.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

import pytest

from conftest import RENDER_ALL_CSS, browser_thread, refuse_foreign

in_browser_thread, browser = browser_thread("screen-reader", ("--force-renderer-accessibility",))

# The pages with the most formulas, and a notebook and an API page (their blocks are skipped too).
PAGES = ("gated-cells/", "signal-propagation/", "deep-stacks/", "notebooks/worked-example/",
         "reference/gated_cells/")


def _exposed(page: Any) -> Counter[str]:
    """Formulas, and the words of the text, in the accessibility tree of the page's article.

    Words are compared in NFKC form: a rendered MathML identifier is exposed in its italic
    letter (U+1D461 for t), an unrendered one as the plain letter. The "ƒ" the stylesheet puts
    before a link to code is generated content, exposed only once rendered, and is left out.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        article = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "article.md-content__inner"})["nodeId"]
        assert article, "the page has no article"
        count: Counter[str] = Counter()
        for role in ("MathMLMath", "StaticText"):
            for n in cdp.send("Accessibility.queryAXTree", {"nodeId": article, "role": role})["nodes"]:
                if n.get("ignored"):
                    continue
                if role == "MathMLMath":
                    count["formulas"] += 1
                    continue
                text = unicodedata.normalize("NFKC", str(n.get("name", {}).get("value", "")))
                count.update(f"word {w}" for w in text.split() if w != "ƒ")
    finally:
        cdp.detach()
    return count


@pytest.mark.parametrize("rel", PAGES)
@in_browser_thread
def test_skipped_blocks_stay_in_the_accessibility_tree(browser: Any, site_url: str, rel: str) -> None:
    ctx = browser.new_context(viewport={"width": 412, "height": 823})
    try:
        page = ctx.new_page()
        refuse_foreign(page, site_url.rstrip("/"))
        page.goto(site_url + rel, wait_until="load")
        page.wait_for_timeout(500)
        skipped = page.evaluate("""() => [...document.querySelectorAll('.md-typeset *')]
            .filter(e => getComputedStyle(e).contentVisibility === 'auto').length""")
        at_load = _exposed(page)
        page.add_style_tag(content=RENDER_ALL_CSS)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.wait_for_timeout(500)
        rendered = _exposed(page)
    finally:
        ctx.close()
    assert skipped > 0, f"{rel}: no block can be skipped, so this test checks nothing there"
    assert rendered["formulas"] > 0 or rel.startswith("reference/"), f"{rel}: no formula in the tree at all"
    assert at_load["formulas"] == rendered["formulas"], (
        f"{rel}: {at_load['formulas']} formulas in the accessibility tree at load, "
        f"{rendered['formulas']} with every block rendered")
    missing = rendered - at_load
    assert not missing, f"{rel}: words missing from the accessibility tree at load: {list(missing.items())[:10]}"
