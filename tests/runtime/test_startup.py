"""Start-up and shut-down of an interpreter that runs the pipeline (workbook.runtime.startup).

Each case runs in a fresh interpreter: the import hook acts on the first import
of WeasyPrint, and the exit hook at shutdown.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Counts the subprocesses started after it, in *searches*.
COUNT_SUBPROCESSES = """
        import ctypes.util, subprocess
        searches = []
        real_popen = subprocess.Popen.__init__
        def counting_popen(self, args, *rest, **kwargs):
            searches.append(args)
            real_popen(self, args, *rest, **kwargs)
        subprocess.Popen.__init__ = counting_popen
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hook acts on Linux only")
def test_weasyprint_imports_without_searching_for_libraries():
    result = run_python(
        COUNT_SUBPROCESSES
        + """
        original = ctypes.util.find_library
        from workbook.runtime.startup import start
        start()
        from weasyprint import HTML
        from weasyprint.text import ffi
        assert ctypes.util.find_library is original, "find_library was not restored"
        pdf = HTML(string="<p>Hei</p>").write_pdf()
        print(len(searches), pdf[:5].decode(), ffi.pango is not None)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "%PDF-", "True"]


def test_importing_the_package_changes_nothing():
    """No import hook, no exit handler, no patch: only the entry points start them."""
    result = run_python(
        """
        import sys
        hooks = list(sys.meta_path)
        import workbook, workbook.pipeline.build, workbook.pipeline.make
        import workbook.patches, workbook.runtime.memory
        print(sys.meta_path == hooks, workbook.runtime.memory._exit_hook_installed,
              workbook.patches.active(), "weasyprint" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "[]", "False"]


def test_without_the_hook_the_library_search_runs_subprocesses():
    """The cost the hook removes is real on this machine (guards the test above)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    result = run_python(
        COUNT_SUBPROCESSES
        + """
        ctypes.util.find_library("gobject-2.0-0")
        print(len(searches))
        """
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 1


def test_exit_keeps_the_status_and_the_other_exit_handlers():
    result = run_python(
        """
        import atexit, sys
        atexit.register(print, "registered before")
        from workbook.runtime.startup import start
        start()
        atexit.register(print, "registered after")
        sys.exit(3)
        """
    )
    assert result.returncode == 3
    assert result.stdout.splitlines() == ["registered after", "registered before"]


def test_exit_writes_what_logging_buffered(tmp_path):
    target = tmp_path / "log.txt"
    result = run_python(
        f"""
        import logging, logging.handlers
        from workbook.runtime.startup import start
        start()
        handler = logging.FileHandler({str(target)!r})
        memory = logging.handlers.MemoryHandler(100, target=handler)
        logging.getLogger("x").addHandler(memory)
        logging.getLogger("x").warning("flushed at exit")
        """
    )
    assert result.returncode == 0, result.stderr
    assert target.read_text() == "flushed at exit\n"


LOAD = """
    import json, sys
    from pathlib import Path
    from workbook.pipeline.build import load_book_overlapped
    from workbook.errors import WorkbookError
    try:
        book, _ = load_book_overlapped(Path(sys.argv[1]))
    except WorkbookError as exc:
        print(json.dumps({"error": str(exc), "renderer": "weasyprint" in sys.modules}))
    else:
        print(json.dumps({
            "titles": [c.title for c in book.chapters],
            "renderer": "weasyprint" in sys.modules,
        }))
"""


def load_in_fresh_interpreter(config) -> dict:
    import json

    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LOAD), str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_book_loads_in_a_fork_while_the_renderer_is_imported(tmp_path, fixture_chapter):
    from conftest import chapter, make_publication
    from workbook.pipeline.build import load_book

    config = make_publication(
        tmp_path,
        {"01-a.md": chapter("Ensimmäinen", "Tekstiä."), "02-b.md": fixture_chapter("all-features")},
    )
    loaded = load_in_fresh_interpreter(config)
    assert loaded == {
        "titles": [c.title for c in load_book(config).chapters],  # as loaded here
        "renderer": True,  # imported meanwhile, ready for the editions' processes
    }


def test_bad_content_found_in_the_fork_is_the_usual_error(tmp_path, fixture_chapter):
    from conftest import make_publication

    config = make_publication(tmp_path, {"01-a.md": fixture_chapter("missing-title")})
    error = load_in_fresh_interpreter(config)["error"]
    assert "01-a.md" in error and "title" in error
