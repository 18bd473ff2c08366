# The site machinery: registries of displayed numbers and figures, the figure theme, the page files.
"""What only the site needs, kept out of the library ``vgdocs``.

- :mod:`vgsite.registry`: the numbers and figures a page can show, by name;
- :mod:`vgsite.theme`: the two colour schemes and the SVG rendering of a figure;
- :mod:`vgsite.pages`: the page files ``docs/<page>.py`` that register them;
- :mod:`vgsite.experiments`: the cached results a page's numbers and figures share (training runs).

A page file writes::

    from vgsite import experiment, figure, number

and the hooks module (``tools/mkdocs_hooks.py``) loads every page file before it builds.
"""

from vgsite.experiments import experiment
from vgsite.pages import load_all, page
from vgsite.registry import FIGURES, NUMBERS, figure, format_number, number

__all__ = ["FIGURES", "NUMBERS", "experiment", "figure", "format_number", "load_all", "number", "page"]
