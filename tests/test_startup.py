"""Start-up and shut-down of an interpreter that runs the pipeline (workbook.startup).

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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hook acts on Linux only")
def test_weasyprint_imports_without_searching_for_libraries():
    result = run_python(
        """
        import ctypes.util, subprocess
        original = ctypes.util.find_library
        searches = []
        real_popen = subprocess.Popen.__init__
        def counting_popen(self, args, *rest, **kwargs):
            searches.append(args)
            real_popen(self, args, *rest, **kwargs)
        subprocess.Popen.__init__ = counting_popen

        import workbook
        from weasyprint import HTML
        from weasyprint.text import ffi
        assert ctypes.util.find_library is original, "find_library was not restored"
        pdf = HTML(string="<p>Hei</p>").write_pdf()
        print(len(searches), pdf[:5].decode(), ffi.pango is not None)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "%PDF-", "True"]


def test_without_the_hook_the_library_search_runs_subprocesses():
    """The cost the hook removes is real on this machine (guards the test above)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    result = run_python(
        """
        import ctypes.util, subprocess
        searches = []
        real_popen = subprocess.Popen.__init__
        def counting_popen(self, args, *rest, **kwargs):
            searches.append(args)
            real_popen(self, args, *rest, **kwargs)
        subprocess.Popen.__init__ = counting_popen
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
        import workbook
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
        import workbook
        handler = logging.FileHandler({str(target)!r})
        memory = logging.handlers.MemoryHandler(100, target=handler)
        logging.getLogger("x").addHandler(memory)
        logging.getLogger("x").warning("flushed at exit")
        """
    )
    assert result.returncode == 0, result.stderr
    assert target.read_text() == "flushed at exit\n"
