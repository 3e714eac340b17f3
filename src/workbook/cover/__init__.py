"""Stage 6c: the print job beside the press edition: the cover spread and the spec sheet.

``spine`` (the spine's width and its formula), ``barcode`` (the print ISBN's
EAN-13), ``layout`` (the spread's geometry, its inputs checked before
rendering, its HTML), ``build`` (render, measure, finish, check, write) and
``spec`` (the spec sheet in Finnish: HTML, PDF, JSON). See docs/print-job.md.
"""
