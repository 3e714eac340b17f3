"""What every interpreter that runs the pipeline pays before and after the work.

Three costs that are not the book's, measured on the sample build:

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

**The garbage collection at exit.** Python's shutdown runs full collections
over every object still alive (the imported modules, the book model, the
preflight facts): 0.3-0.5 s at the end of a build. :func:`skip_exit_collection`
freezes the heap when the interpreter starts to shut down (:func:`gc.freeze`),
so those collections have nothing to walk. Everything else happens as usual:
the exit status, the other exit handlers (logging flushes its handlers after
this one runs), objects freed by reference counting. What is left is memory in
reference cycles, which the operating system takes back with the process. The
pipeline closes every file it writes with ``with``, never in a cycle.

**Collections over what is kept.** Importing the renderer (WeasyPrint,
pikepdf, numpy) and loading the content make tens of thousands of objects and
keep nearly all of them, so the cyclic collector's passes meanwhile find
almost nothing; the import of the renderer, the longer of the two steps that
run side by side before the editions start, took 0.39-0.48 s with them and
0.34-0.35 s without. :func:`no_collections` pauses the collector for such a
stretch (and while WeasyPrint renders, :mod:`workbook.pdf`).
"""

from __future__ import annotations

import atexit
import ctypes.util
import gc
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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


_exit_hook_installed = False


def skip_exit_collection() -> None:
    """At interpreter shutdown, freeze the heap instead of collecting it (once)."""
    global _exit_hook_installed
    if not _exit_hook_installed:
        atexit.register(gc.freeze)
        _exit_hook_installed = True


@contextmanager
def no_collections() -> Iterator[None]:
    """No cyclic garbage collection inside the ``with`` block.

    Garbage without cycles is freed at once as always; what is in cycles waits
    for the next collection afterwards. The collector's state comes back at
    the end (it stays off if it was off).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
