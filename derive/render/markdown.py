"""Derivation -> Markdown (``render_markdown``) with ``$$`` display math.

Where it sits: beside ``latex.py``, sharing its Jinja environment, filters and
``--template-dir`` lookup; the template is ``problem.md.j2``. The output renders on GitHub and
in Jupyter: prose is escaped for Markdown (``md`` filter), mathematics goes through the same
LaTeX printer as the PDF, and figures (TikZ in the PDF) are described in one line.
"""
from __future__ import annotations

import re

from .grouping import detail as detail_level
from .latex import render_template


def render_markdown(derivation, template_dir=None, detail: str | None = None) -> str:
    """One problem as a Markdown document, ending with a single newline; ``detail`` as in
    ``grouping.detail``."""
    with detail_level(detail):
        out = render_template("problem.md.j2", template_dir, d=derivation)
    out = re.sub(r"\n{3,}", "\n\n", out)
    return out.strip("\n") + "\n"


__all__ = ["render_markdown"]
