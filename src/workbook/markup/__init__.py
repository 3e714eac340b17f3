"""Stage 3: one chapter's Markdown to an HTML fragment.

``chapter`` (Python-Markdown with the book's extensions), ``exercises`` (the
``:::`` blocks) and ``worksheet`` (their HTML), ``figures`` and ``datablocks``
(``![[...]]`` blocks), ``typography``, ``hyphenation`` and ``numbers``
(Finnish typesetting conventions).
"""
