"""The error policy: collected errors, faults of the machine and bugs as lines."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from workbook.errors import (
    Collector,
    ContentErrors,
    WorkbookError,
    environment_error,
    error_lines,
    failure_lines,
)
from workbook.pipeline.forks import ProcessCrash, received


def test_errors_are_collected_up_to_the_limit():
    errors = Collector(limit=2)
    for number in range(5):
        with errors.attempt():
            raise WorkbookError(f"virhe {number}", path=Path("a.md"), line=number)
    with pytest.raises(ContentErrors) as raised:
        errors.raise_if_any()
    lines = error_lines(raised.value)
    assert lines == [
        "error: a.md:0: virhe 0",
        "error: a.md:1: virhe 1",
        "... and 3 more (the first 2 are shown)",
    ]


def test_one_error_is_raised_as_itself():
    errors = Collector()
    errors.add(WorkbookError("yksi"))
    with pytest.raises(WorkbookError) as raised:
        errors.raise_if_any()
    assert type(raised.value) is WorkbookError


@pytest.mark.parametrize(
    ("number", "says"),
    [(errno.ENOSPC, "free some disk space"), (errno.EROFS, "read-only"), (errno.EACCES, "--out")],
)
def test_a_fault_of_the_machine_names_the_output_folder(tmp_path, number, says):
    error = environment_error(
        OSError(number, "reason", str(tmp_path / "out" / "x.pdf")), tmp_path / "out"
    )
    assert error.path == tmp_path / "out" and "x.pdf" in error.message and says in error.hint


def test_a_bug_is_one_line_that_says_so():
    (line,) = failure_lines(KeyError("x"))
    assert line.startswith("error: internal error: KeyError") and "WORKBOOK_TRACEBACK=1" in line


def test_a_process_outcome_comes_back_without_double_wrapping():
    error = received(("errors", [("viesti", Path("a.md"), 3, "vihje")], 0), 0, "x")
    assert str(error) == "a.md:3: viesti (hint: vihje)"
    with pytest.raises(OSError) as raised:
        received(("os", errno.ENOSPC, "No space left on device", "/b/x.pdf"), 0, "x")
    assert raised.value.errno == errno.ENOSPC
    with pytest.raises(ProcessCrash, match="building: ValueError: bad") as crash:
        received(("crash", "ValueError", "bad", "Traceback ..."), 0, "building")
    assert crash.value.__notes__ == ["Traceback ..."]
    silent = received(None, -9, "building an edition")
    assert "without a word (exit signal 9)" in str(silent)
