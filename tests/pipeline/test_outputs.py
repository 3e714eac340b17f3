"""One build's files: the scratch folder, the journalled commit, what killed builds leave."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from workbook.errors import WorkbookError
from workbook.pipeline import outputs


def test_scratch_holds_every_temporary_file_and_goes_away(tmp_path):
    out = tmp_path / "build"
    before = tempfile.gettempdir()
    with outputs.scratch(out) as build:
        assert tempfile.gettempdir() == str(build.tmp) == os.environ["TMPDIR"]
        assert Path(tempfile.mkdtemp(prefix="weasyprint-")).parent == build.tmp
        assert outputs.temp_folder(out / ".state" / "x.json") == build.tmp
        assert outputs.temp_folder(tmp_path / "elsewhere.pdf") == tmp_path
    assert tempfile.gettempdir() == before
    assert sorted(p.name for p in out.iterdir()) == []


def test_commit_moves_all_and_a_killed_commit_is_completed_by_the_next_build(tmp_path):
    out = tmp_path / "build"
    out.mkdir()
    (out / "a.pdf").write_text("old a")
    (out / "b.pdf").write_text("old b")
    with outputs.scratch(out) as build:
        commit = outputs.Commit(build)
        for name in ("a.pdf", "b.pdf"):
            staged = build.stage(name)
            staged.write_text(f"new {name[0]}")
            commit.move(staged, out / name)
        commit.apply()
    assert (out / "a.pdf").read_text() == "new a" and (out / "b.pdf").read_text() == "new b"

    # A build killed after writing its journal and one move: the next build finishes it.
    dead = out / outputs.TMP / "run-1-dead"
    (dead / "out").mkdir(parents=True)
    (dead / "out" / "b.pdf").write_text("newer b")
    (out / "a.pdf").write_text("newer a")  # already moved
    journal = [["move", ".tmp/run-1-dead/out/a.pdf", "a.pdf"],
               ["move", ".tmp/run-1-dead/out/b.pdf", "b.pdf"]]  # fmt: skip
    (dead / "COMMIT.json").write_text(json.dumps(journal))
    outputs.recover(out)
    assert (out / "b.pdf").read_text() == "newer b" and (out / "a.pdf").read_text() == "newer a"
    assert not (out / outputs.TMP).exists()


def test_a_killed_build_without_journal_changed_nothing(tmp_path):
    out = tmp_path / "build"
    dead = out / outputs.TMP / "run-2-dead" / "out"
    dead.mkdir(parents=True)
    (dead / "a.pdf").write_text("half")
    (out / "a.pdf").write_text("old")
    outputs.recover(out)
    assert (out / "a.pdf").read_text() == "old" and not (out / outputs.TMP).exists()


def test_a_running_build_is_left_alone(tmp_path):
    out = tmp_path / "build"
    with outputs.scratch(out) as build:
        outputs.recover(out)  # as a second build starting beside this one would
        assert build.root.is_dir()


def test_earlier_versions_leftovers_are_swept(tmp_path):
    out = tmp_path / "build"
    (out / ".state").mkdir(parents=True)
    for name in ("tmpab12cd_4.pdf", ".book.pdf.xyz.part", ".state/.x.json.1.tmp"):
        (out / name).write_text("x")
    (out / "book.pdf").write_text("keep")
    outputs.recover(out)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [".state", "book.pdf"]


def test_out_that_is_a_file_is_one_line(tmp_path):
    target = tmp_path / "book.pdf"
    target.write_text("x")
    with pytest.raises(WorkbookError, match="is a file, not a folder"):
        outputs.check_out_dir(target)
    with pytest.raises(WorkbookError, match="is a file, not a folder"):
        outputs.check_out_dir(target / "build")
