"""``invoke watch``: rebuild an edition whenever an input changes.

When only chapters changed, each edited chapter is first laid out alone
(:mod:`workbook.pipeline.preview`, ``build/preview/<chapter>.pdf``, about a
second), then the whole edition follows. The watcher keeps its edition's last
layout, so the whole edition lays out only the saved chapters again and puts
their pages in place (:mod:`workbook.render.assembly`) when their pages fit.

The input files (as :mod:`workbook.pipeline.freshness` lists them) are polled; a change
is acted on once the files have been still for one poll (debounce: an editor's
save of several files, or a slow copy, makes one build). What changed and
where the new PDF is are printed; an error in the content is printed and the
watch goes on. The preview is written without the build's checks, as fast as
one render allows; ``invoke build`` checks the book. Polling needs no
file-system notification library and works the same everywhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from workbook.errors import WorkbookError, display_path, failure_lines
from workbook.pipeline import freshness
from workbook.render import assembly
from workbook.runtime.memory import settle_heap, thaw

Snapshot = dict[Path, tuple[int, int]]


def snapshot(config_path: Path, out_dir: Path) -> Snapshot:
    """Modification time and size of every input file."""
    found: Snapshot = {}
    for path in freshness._files(freshness.input_folders(config_path), exclude=out_dir):
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[Path]:
    """Files added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def watch(
    config_path: Path,
    *,
    out_dir: Path = Path("build"),
    edition: str = "screen",
    interval: float = 0.5,
    report: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> int:
    """Build *edition* now and after every change, until *stop* is set (or Ctrl-C).

    Returns how many builds ran.
    """
    from workbook.pipeline.make import make

    stop = stop or threading.Event()
    builds = 0

    def show_previews(changed: list[Path]) -> None:
        """Lay out the edited chapters alone first, when only chapters changed."""
        if not changed or not only_chapters(changed):
            return
        from workbook.pipeline.outputs import scratch
        from workbook.pipeline.preview import preview

        try:
            with scratch(out_dir):  # its temporary files, WeasyPrint's too, in build/.tmp
                for shown in preview(config_path, changed, out_dir=out_dir, edition=edition):
                    report(shown.line())
        except WorkbookError:
            pass  # the full build below reports it

    def rebuild(reason: str, changed: list[Path] | None = None) -> None:
        nonlocal builds
        report(reason)
        if not changed or not only_chapters(changed):
            assembly.forget()  # styles, images or data may differ from the kept layout's
        show_previews(changed or [])
        started = time.monotonic()
        try:
            made = make(
                config_path,
                out_dir=out_dir,
                editions=[edition],
                check=False,
                verify=False,  # a preview: invoke build checks the book
                workers=1,
                cover=False,  # and makes the cover
                report=lambda line: None,
                # laid out at the start even when up to date, so that its layout is
                # kept and the first save lays out only its chapters
                force=[edition] if builds == 0 else [],
            )
            slug = freshness.slug_of(config_path) or "book"
            target = out_dir / f"{slug}-{edition}.pdf"
            seconds = time.monotonic() - started
            report(f"built {display_path(target)} in {seconds:.1f} s{_how(made)}")
        except (WorkbookError, OSError) as exc:  # the content's, or the machine's
            for line in failure_lines(exc, out_dir):
                report(line)
            report("waiting for the next change")
        builds += 1
        settle_heap()

    assembly.keep_layouts()  # a save lays out only the saved chapters again
    current = snapshot(config_path, out_dir)
    rebuild(f"watching {display_path(config_path)}: building the {edition} edition")
    pending: Snapshot | None = None
    try:
        while not stop.wait(interval):
            latest = snapshot(config_path, out_dir)
            if latest == current:
                pending = None
                continue
            if pending != latest:  # still changing: wait until it is quiet for one poll
                pending = latest
                continue
            changed = changes(current, latest)
            current, pending = latest, None
            names = ", ".join(display_path(p) for p in changed[:5])
            more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
            rebuild(f"changed: {names}{more}", changed)
    except KeyboardInterrupt:
        report("stopped")
    finally:
        assembly.keep_layouts(False)
        thaw()
    return builds


def _how(made) -> str:
    """ "; only the saved chapters laid out" when no whole layout was needed."""
    editions = made.build.editions if made.build is not None else []
    if editions and all(e.layouts == 0 and e.chapter_layouts for e in editions):
        return "; only the saved chapters laid out"
    return ""


def only_chapters(changed: list[Path]) -> bool:
    """Whether every changed file is a chapter's Markdown."""
    return all(p.suffix == ".md" and p.parent.name == "chapters" for p in changed)
