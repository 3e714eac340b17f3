"""Stage 5: one HTML document per edition.

``book`` (Jinja2 templates), ``images`` (illustrations prepared per edition),
``charts`` (survey charts as SVG) and ``colour`` (the output profile and CMYK
conversions).
"""
