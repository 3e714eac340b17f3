"""Print-workbook and accessible PDF publishing pipeline.

Stages, one module each: ``config`` -> ``content`` -> ``markup`` -> ``model``
-> ``htmlbook`` -> ``pdf`` (with ``variants`` and ``postprocess``) -> ``checks``.
``build`` runs them in order; ``tasks.py`` only calls ``build``.
"""

__version__ = "0.1.0"

from . import startup

startup.fast_weasyprint_import()  # WeasyPrint, when imported, skips a 0.3 s library search
startup.skip_exit_collection()  # and the interpreter exits without a 0.3-0.5 s collection
