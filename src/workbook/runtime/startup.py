"""What every interpreter that runs the pipeline pays before the work: a library search.

**WeasyPrint's library search** (Linux). WeasyPrint 70 opens Pango, GObject,
HarfBuzz and Fontconfig by trying several names for each library, the bare
ones (``libgobject-2.0-0``, ``gobject-2.0``) first. cffi passes a bare name
to :func:`ctypes.util.find_library`, which on Linux runs ``ldconfig``,
``gcc`` and ``ld`` in subprocesses for every name it does not find: 22
lookups, about 0.3 s of every interpreter that imports WeasyPrint, only to
fail and reach the sonames (``libgobject-2.0.so.0``) that ``dlopen`` loads
directly.

:func:`fast_weasyprint_import` adds an import hook that runs ``weasyprint.text.ffi`` (the
module that opens the libraries) with ``find_library`` answering "not found",
so cffi goes straight to the sonames; the function is restored as soon as that
module has run, and nothing else sees the change. Where a library is missing,
WeasyPrint still reports it as before. Other systems are left alone.

Nothing happens on ``import workbook``: the command entry points call
:func:`start` (the hook and :func:`workbook.runtime.memory.skip_exit_collection`).
"""

from __future__ import annotations

import ctypes.util
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

TARGET = "weasyprint.text.ffi"


class _Loader(importlib.abc.Loader):
    """Runs the real loader of :data:`TARGET` with ``find_library`` short-circuited."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        original = ctypes.util.find_library
        ctypes.util.find_library = _not_found
        try:
            self.loader.exec_module(module)
        finally:
            ctypes.util.find_library = original


def _not_found(name: str) -> None:
    return None


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET:
            return None
        sys.meta_path.remove(self)  # one use; the module is then in sys.modules
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def fast_weasyprint_import() -> None:
    """Make the next import of WeasyPrint skip the subprocess library search (Linux only)."""
    if not sys.platform.startswith("linux") or TARGET in sys.modules:
        return
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def start() -> None:
    """Prepare this interpreter to run the pipeline (the command entry points call this).

    WeasyPrint's next import skips its library search, and the interpreter exits
    without its final collections (:mod:`workbook.runtime.memory`).
    """
    from workbook.runtime.memory import skip_exit_collection

    fast_weasyprint_import()
    skip_exit_collection()
