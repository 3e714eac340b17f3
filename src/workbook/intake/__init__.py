"""Stage 2: read and validate every input file before anything is rendered.

``chapters`` (front matter + Markdown), ``manifests`` (the TOML shape both
manifests share), ``illustrations``, ``survey`` (CSV data) and ``fonts``
(the book's faces and a glyph-coverage check).
"""
