"""Print-workbook and accessible PDF publishing pipeline.

Stages, one module each: ``config`` -> ``content`` -> ``markup`` -> ``model``
-> ``htmlbook`` -> ``pdf`` (with ``variants`` and ``postprocess``) -> ``checks``.
``build`` runs them in order; ``tasks.py`` only calls ``build``.
"""

__version__ = "0.1.0"
