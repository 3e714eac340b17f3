"""The editor's view: `invoke build` on bad input prints one line and exits non-zero."""

from __future__ import annotations

import pytest

from conftest import chapter, illustrated, invoke, make_publication


@pytest.mark.parametrize(
    ("config", "chapters", "expected"),
    [
        ("unknown-key", {}, "unknown key 'publication.colour'"),
        ("trim-not-a-size", {}, "bad value for 'format.trim'"),
        ("valid", {"01-a.md": "Ei etusivutietoja.\n"}, "01-a.md:1: front matter missing"),
        ("valid", {"01-a.md": "---\ntitle: [x\n---\n"}, "01-a.md:2: malformed front matter"),
        ("valid", {"01-a.md": chapter("A", "Ks. [[#ei]]")}, "01-a.md:5: link to '#ei'"),
        (
            "missing-chapter-file",
            {"01-olemassa.md": chapter("A", "x")},
            "chapter '02-puuttuu.md' listed in the config does not exist",
        ),
        (
            "valid",
            {"01-a.md": chapter("A", "::: tehtävä T\n::: rivit -2\n:::\n:::")},
            "01-a.md:6: '::: rivit': line count must be a whole number from 1 to 40",
        ),
        (
            "valid",
            {"01-a.md": chapter("A", "::: tehtävä T\n::: asteikko\n- Väite\n")},
            "01-a.md:6: '::: asteikko' is not closed",
        ),
    ],
)
def test_bad_input_gives_one_line_and_nonzero_exit(tmp_path, config, chapters, expected):
    config_path = make_publication(tmp_path, chapters, config=config)
    out = tmp_path / "out"
    result = invoke("build", "--config", str(config_path), "--out", str(out))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and expected in lines[0]
    assert "hint:" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists() or not list(out.glob("*.pdf"))


@pytest.mark.parametrize(
    ("manifest", "chapters", "expected"),
    [
        ("truncated-image", None, "illustrations.toml:2: unreadable or corrupt image"),
        ("low-resolution", None, "is 78 ppi at its placed size"),
        ("valid", {"01-a.md": chapter("A", "![[tiskki]]")}, "01-a.md:5: unknown illustration"),
    ],
)
def test_bad_illustration_gives_one_line_and_nonzero_exit(tmp_path, manifest, chapters, expected):
    config_path = illustrated(tmp_path, manifest, chapters)
    out = tmp_path / "out"
    result = invoke("build", "--config", str(config_path), "--out", str(out))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists() or not list(out.glob("*.pdf"))


def test_build_one_edition(tmp_path):
    config_path = make_publication(tmp_path, {"01-a.md": chapter("A", "Teksti.")})
    out = tmp_path / "out"
    result = invoke("build", "--config", str(config_path), "--out", str(out), "-e", "screen")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.glob("*.pdf")] == ["testikirja-screen.pdf"]
    assert "screen:" in result.stdout


def test_tasks_have_help():
    result = invoke("--list")
    for name in ("build", "test", "clean"):
        assert name in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("build"))
    assert len(line.split()) > 2  # a docstring follows the name


def test_build_help_shows_help_and_builds_nothing(tmp_path):
    result = invoke("build", "-h", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "--[no-]check" in result.stdout and "-h," not in result.stdout
    assert not (tmp_path / "build").exists()


def test_clean_removes_the_folder_given_wherever_it_runs(tmp_path):
    out = tmp_path / "out"
    (out / ".state").mkdir(parents=True)
    (out / "kirja-press.pdf").write_bytes(b"%PDF-")
    (tmp_path / "build").mkdir()
    result = invoke("clean", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not out.exists() and (tmp_path / "build").is_dir()


@pytest.mark.parametrize("case", ["publication", "file", "here"])
def test_clean_refuses_what_is_not_an_output_folder(tmp_path, case):
    target = {"publication": tmp_path / "kirja", "file": tmp_path / "kirja.pdf", "here": tmp_path}
    config = make_publication(tmp_path / "kirja", {"01-a.md": chapter("A", "x")})
    (tmp_path / "kirja.pdf").write_bytes(b"%PDF-")
    result = invoke("clean", "--out", str(target[case]), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert config.is_file() and (tmp_path / "kirja.pdf").is_file()
