"""When the cyclic garbage collector runs: the whole choreography, in one place.

A build makes a few large, long-lived things (the imported modules, the loaded
book, WeasyPrint's laid-out pages) and little garbage in reference cycles.
CPython's collector, left alone, walks the long-lived things again and again to
find almost nothing. Every rule below is about keeping it from doing that,
without ever keeping garbage that would grow memory:

1. **While the renderer is imported and the content loaded**
   (:func:`no_collections` in :func:`workbook.pipeline.loading.import_renderer`
   and the loader process). Both make tens of thousands of objects and keep
   them; collections meanwhile cost a tenth of the import's time.
2. **While WeasyPrint renders** (:func:`no_collections` in
   :func:`workbook.render.pdf.render_pdf`). Layout creates millions of objects
   and keeps nearly all of them until the PDF is written; young collections
   cost 0.26 s of a 7 s render for 4 MB of cyclic garbage, which waits for the
   next collection afterwards.
3. **Around the forked edition processes** (:func:`frozen_heap`). The loaded
   book and the modules live as long as the build: frozen, neither the parent
   (waiting for results) nor the children (which inherit them) walk them again.
   A caller that froze its heap itself (watch mode) keeps it as it is.
4. **In an edition's process after rendering** (:func:`drop_render_garbage`).
   WeasyPrint leaves some 100,000 objects in cycles; the process ends with its
   edition, so a small heap is frozen as it is and a large one is collected
   once first (over :data:`FREEZE_BELOW_MB`).
5. **Between two builds of watch mode** (:func:`settle_heap`): the last build's
   garbage is collected while the watcher waits for an edit, and what survives
   is frozen, so the next build does not walk it. What survives includes the
   edition's last layout, which the watcher keeps for the next save
   (:mod:`workbook.render.assembly`); the pages a save replaces are garbage
   by the next settling, which unfreezes first. :func:`thaw` gives the heap
   back when watching stops.
6. **At interpreter exit** (:func:`skip_exit_collection`, installed by
   :func:`workbook.runtime.startup.start`). Python's shutdown runs full
   collections over everything still alive: 0.3-0.5 s at the end of a build.
   Freezing the heap when shutdown starts leaves them nothing to walk. The exit
   status, the other exit handlers (logging flushes after this one) and
   reference counting work as usual; memory in cycles goes back to the
   operating system with the process. The pipeline closes every file it
   writes with ``with``, never in a cycle.
7. **Between two layouts of one render** (:func:`collect_between_layouts`). A
   laid-out document lives in reference cycles: let go, it stays until a
   collection. The page make-up lays a book out up to 9 times, and the
   documents piled up to 1.9 GB on the stress book. Each whole layout after the
   first, and each round that lays out only some chapters
   (:mod:`workbook.render.assembly`), is preceded by one full collection (the
   make-up lets the last document go first): about 1 s of CPU each on the
   stress book, for a peak under 0.9 GB. The chapters of one round follow one
   another without a collection: until the round ends, the book they go into
   keeps every page, so there is next to nothing to free (a thousand objects
   for 0.2 s of CPU on the sample).

Garbage without cycles is freed at once by reference counting throughout.
"""

from __future__ import annotations

import atexit
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

FREEZE_BELOW_MB = 250
"""Rule 4: the sample's edition process holds 150 MB after rendering, the stress book's 320 MB."""

_exit_hook_installed = False


@contextmanager
def no_collections() -> Iterator[None]:
    """No cyclic garbage collection inside the ``with`` block (rules 1 and 2).

    The collector's state comes back at the end (it stays off if it was off).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """The heap frozen inside the ``with`` block, unless a caller froze it already (rule 3)."""
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()


def resident_mb() -> float | None:
    """This process's resident memory in MB (Linux /proc), or None where unknown."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


def drop_render_garbage() -> None:
    """In an edition's process after rendering: freeze the heap, collected first when
    it is over :data:`FREEZE_BELOW_MB` (rule 4). Only for a process that ends with
    its edition."""
    size = resident_mb()
    if size is None or size >= FREEZE_BELOW_MB:
        gc.collect()
    gc.freeze()


def collect_between_layouts() -> None:
    """Before a render's next layout, free the documents let go since the last (rule 7)."""
    gc.collect()


def settle_heap() -> None:
    """Between two builds: collect the last one's garbage, set the survivors aside (rule 5).

    Unfrozen first, so nothing frozen earlier escapes collection once it is garbage.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """Give back what :func:`settle_heap` set aside (when watching stops)."""
    gc.unfreeze()


def skip_exit_collection() -> None:
    """At interpreter shutdown, freeze the heap instead of collecting it (rule 6; once)."""
    global _exit_hook_installed
    if not _exit_hook_installed:
        atexit.register(gc.freeze)
        _exit_hook_installed = True
