"""Stage 6b: post-processing of WeasyPrint's PDF, one module per PDF variant.

``postprocess`` runs the edition's steps; ``press`` (boxes, padding, PDF/X-4),
``tagged`` (PDF/UA-1: artifacts, figures, tables, footnotes, link descriptions),
``forms`` (the e-version's form fields) and ``structtree`` (structure-tree
readers shared with the preflight).
"""
