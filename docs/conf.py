"""Sphinx configuration of `make report`: a static HTML site of the executed notebooks (their stored outputs, never
re-executed) and the pages of docs/, with MathJax served from the site itself so that it renders offline.

Built from the repository root so that the README, docs/ and notebooks/ keep their relative links:
    sphinx-build -b html -c docs . docs/_build/html
"""

from pathlib import Path

project = "mipnn"
author = "the mipnn authors"
copyright = "the mipnn authors, MIT licence"

# sphinx-mathjax-offline (a hyphenated module name, as its package installs it) ships MathJax 3.2.2 and sets
# mathjax_path to the copy it puts into _static/mathjax/
extensions = ["myst_nb", "sphinx.ext.mathjax", "sphinx-mathjax-offline"]
root_doc = "docs/index"
include_patterns = ["README.md", "docs/*.md", "notebooks/[0-9][0-9]_*.ipynb", "data/README.md",
                    "data/reference/README.md"]
exclude_patterns = ["docs/_build/**", ".venv/**"]

# the notebooks' stored outputs, as committed (nbval checks them): never re-execute
nb_execution_mode = "off"
# no widget JavaScript from a CDN (progress bars are stored as text as well): the site must work offline
nb_ipywidgets_js = {}
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

html_theme = "alabaster"
html_title = "mipnn: training neural networks with mixed-integer programming, reproduced"
html_theme_options = {"page_width": "1200px", "sidebar_width": "240px"}
html_show_sourcelink = False
html_copy_source = False


def _redirect_root(app, exc):
    """index.html at the site's root, pointing at the start page docs/index.html (for GitHub Pages)."""
    if exc is None and app.builder.format == "html":
        Path(app.outdir, "index.html").write_text(
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>mipnn</title>'
            '<meta http-equiv="refresh" content="0; url=docs/index.html"></head>'
            '<body><a href="docs/index.html">mipnn report</a></body></html>\n', encoding="utf-8")
        Path(app.outdir, ".nojekyll").write_text("", encoding="utf-8")


def setup(app):
    app.connect("build-finished", _redirect_root)
