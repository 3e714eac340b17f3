"""One policy for every path a publication names, and reading only regular files."""

from __future__ import annotations

import os

import pytest

from conftest import FIXTURES
from workbook.config.files import check_inside, read_bytes, regular_file
from workbook.config.publication import load_config
from workbook.errors import WorkbookError
from workbook.pipeline.freshness import _files, input_folders, inputs_digest

VALID = (FIXTURES / "config" / "valid.toml").read_text(encoding="utf-8")


def publication(tmp_path, extra: str = "") -> object:
    root = tmp_path / "kirja"
    (root / "chapters").mkdir(parents=True)
    (root / "publication.toml").write_text(VALID + extra, encoding="utf-8")
    return root / "publication.toml"


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('\n[content]\nchapters = ["../../../../etc/passwd"]\n', "content.chapters"),
        ('\n[content]\nchapters_dir = "/etc"\n', "content.chapters_dir"),
        ('\n[images]\nmanifest = "/etc/kuvat.toml"\n', "images.manifest"),
        ('\n[data]\nmanifest = "../data.toml"\n', "data.manifest"),
        ('\n[colour]\noutput_profile = "../../x.icc"\n', "colour.output_profile"),
    ],
)
def test_config_paths_must_stay_inside(tmp_path, extra, key):
    config = publication(tmp_path, extra)
    with pytest.raises(WorkbookError) as raised:
        load_config(config)
    line = VALID.count("\n") + extra.rstrip("\n").count("\n") + 1
    assert f"publication.toml:{line}: '{key}'" in str(raised.value)
    assert "leads outside the publication folder" in str(raised.value)


def test_allowed_folder_and_a_link_out(tmp_path):
    shared = tmp_path / "yhteiset"
    shared.mkdir()
    config = publication(tmp_path, '\n[images]\nmanifest = "../yhteiset/k.toml"\n'
                         '\n[paths]\nallow = ["../yhteiset"]\n')  # fmt: skip
    assert load_config(config).allowed[1] == shared.resolve()
    link = config.parent / "chapters" / "01-a.md"
    link.symlink_to(tmp_path / "salainen.md")
    (tmp_path / "salainen.md").write_text("---\ntitle: x\n---\n")
    with pytest.raises(WorkbookError, match="leads outside"):
        check_inside(link, [config.parent.resolve()], what="chapter", where=link)


def test_only_regular_files_are_read(tmp_path):
    os.mkfifo(tmp_path / "putki.md")
    (tmp_path / "rikki.md").symlink_to(tmp_path / "ei-ole.md")
    (tmp_path / "iso.md").write_text("x" * 5000)
    with pytest.raises(WorkbookError, match="not a regular file"):
        read_bytes(tmp_path / "putki.md", what="chapter")  # never waits on the pipe
    with pytest.raises(WorkbookError, match="broken link"):
        regular_file(tmp_path / "rikki.md", what="chapter")
    with pytest.raises(WorkbookError, match="more than the limit of 4 KiB"):
        read_bytes(tmp_path / "iso.md", what="chapter", limit=4096)
    with pytest.raises(FileNotFoundError):
        read_bytes(tmp_path / "ei-ole.md", what="chapter")


def test_input_hash_skips_special_files_and_never_walks_outside(tmp_path):
    config = publication(tmp_path, '\n[images]\nmanifest = "/etc/kuvat.toml"\n')
    os.mkfifo(config.parent / "putki")
    (config.parent / "rikki").symlink_to(tmp_path / "ei-ole")
    assert names(_files([config.parent])) == ["publication.toml", "rikki"]
    assert all(not str(p).startswith("/etc") for p in input_folders(config))
    assert inputs_digest(config)  # no hang, no error


def names(paths) -> list[str]:
    return sorted(p.name for p in paths)
