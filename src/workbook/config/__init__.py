"""Stage 1: what a publication is made of, as typed, frozen objects.

``publication`` (publication.toml's schema), ``palette`` (the book's colours,
CMYK and sRGB) and ``editions`` (the registry of PDF editions).
"""
