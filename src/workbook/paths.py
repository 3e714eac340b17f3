"""Where the pipeline's own files are: the package, and the repository's styles and templates."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parents[1]
STYLES = REPO / "styles"
TEMPLATES = REPO / "templates"
