"""Tools for the pipeline's developers, not part of a build: ``bench``,
``profiling`` and ``stress`` (the generated stress book)."""
