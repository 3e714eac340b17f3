"""The renderer patch registry: guards, warnings, the stock fallback and its equivalence."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from workbook import patches
from workbook.patches import PATCHES, STOCK_ENV, Patch, install_all


@pytest.fixture
def fresh_registry(monkeypatch):
    """A registry that has decided nothing yet; what the session applied stays applied."""
    monkeypatch.setattr(patches, "_state", patches._State())


def fake(name: str = "fake", **changes) -> Patch:
    """A patch of the real split_first_line, with *changes* to its record."""
    real = next(p for p in PATCHES if p.name == "linefit")
    return dataclasses.replace(real, name=name, **changes)


def test_every_patch_records_this_weasyprint_and_its_sources():
    """The recorded versions and hashes are those of the installed WeasyPrint, so every
    patch is active in the builds and tests of this checkout."""
    for patch in PATCHES:
        assert patch.library == "weasyprint" and patch.version == "70.0"
        assert patch.upstream and patch.saves
    code = (  # in a fresh interpreter: here the functions are already replaced
        "from workbook.patches import PATCHES, resolve, source_sha256\n"
        "for patch in PATCHES:\n"
        "    for dotted, digest in patch.replaces.items():\n"
        "        print(dotted, source_sha256(resolve(dotted)) == digest)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    checked = dict(line.split() for line in result.stdout.splitlines())
    assert checked == {dotted: "True" for p in PATCHES for dotted in p.replaces}
    assert patches.active() == [p.name for p in PATCHES]


@pytest.mark.usefixtures("fresh_registry")
def test_all_guards_pass_and_the_patch_applies():
    applied = []
    assert install_all({}, (fake(),), applied.append) == []
    assert [p.name for p in applied] == ["fake"]
    assert patches.active() == ["fake"]


@pytest.mark.usefixtures("fresh_registry")
def test_another_version_is_one_warning_and_a_stock_build():
    applied = []
    warnings = install_all({}, (fake(version="71.0"),), applied.append)
    assert warnings == [
        "patch fake not applied: weasyprint 70.0 is not the version it was written for "
        "(71.0); building with stock weasyprint"
    ]
    assert applied == [] and patches.active() == []
    assert install_all({}, (fake(version="71.0"),), applied.append) == []  # said once


@pytest.mark.usefixtures("fresh_registry")
def test_a_changed_source_is_not_patched():
    replaces = {"weasyprint.text.line_break.split_first_line": "0" * 64}
    applied = []
    (warning,) = install_all({}, (fake(replaces=replaces),), applied.append)
    assert "the source of weasyprint.text.line_break.split_first_line is not the one" in warning
    assert applied == []


@pytest.mark.usefixtures("fresh_registry")
def test_a_renamed_internal_is_a_warning_not_an_import_error():
    replaces = {"weasyprint.text.no_such_module.split_first_line": "0" * 64}
    (warning,) = install_all({}, (fake(replaces=replaces),), lambda patch: None)
    assert "cannot be read" in warning

    def broken(patch):
        raise ImportError("cannot import name 'gone' from 'weasyprint.text'")

    (warning,) = install_all({}, (fake(name="other"),), broken)
    assert "applying it failed (ImportError" in warning
    assert patches.active() == []


@pytest.mark.usefixtures("fresh_registry")
@pytest.mark.parametrize(
    ("value", "active"), [("1", []), ("all", []), ("fake", ["other"]), ("", ["fake", "other"])]
)
def test_the_stock_renderer_switch_turns_patches_off_silently(value, active):
    found = (fake(), fake(name="other"))
    assert install_all({STOCK_ENV: value}, found, lambda patch: None) == []
    assert patches.active() == active


def test_build_verbose_lists_the_active_patches():
    from workbook import cli

    lines = cli.patch_lines()
    assert lines[0] == "renderer patches (workbook.patches):"
    for patch in PATCHES:
        assert any(line.strip().startswith(f"{patch.name} ") and "active" in line for line in lines)


def _words_per_page(pdf: Path) -> list[list[str]]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page.split() for page in text.split("\f")]


def _repeated_footnote(page: list[str], previous: list[str], ours: list[str]) -> bool:
    """Whether *page* is *ours* plus a footnote that the page before already printed
    (stock WeasyPrint 70's pagination bug, which the pagination patch fixes)."""
    extra = list(page)
    for word in ours:
        if word in extra:
            extra.remove(word)
    if not extra or len(page) - len(ours) != len(extra):
        return False
    text, before = " ".join(extra), " ".join(previous)
    return extra[0].rstrip(".").isdigit() and text in before


def test_the_sample_builds_with_stock_weasyprint_to_the_same_pages(tmp_path):
    """With every patch off the sample still builds and passes its preflight, and each
    edition prints the same words on the same pages as the patched build, but for
    the one fault the pagination patch exists for: a footnote carried past a page
    that WeasyPrint 70 keeps as up to date is printed a second time."""
    outs = {"patched": tmp_path / "patched", "stock": tmp_path / "stock"}
    runs = {}
    for name, out in outs.items():
        env = {**os.environ, STOCK_ENV: "1" if name == "stock" else ""}
        # The two PDF editions: the patches change how they are laid out (the cover and
        # the e-book follow from them and are checked elsewhere).
        command = [
            sys.executable, "-m", "invoke", "build", "-e", "press", "-e", "screen",
            "--out", str(out),
        ]  # fmt: skip
        runs[name] = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    outputs = {name: process.communicate(timeout=600)[0] for name, process in runs.items()}
    for name, process in runs.items():
        output = outputs[name]
        assert process.returncode == 0, f"{name}:\n{output[-3000:]}"
        assert "0 failed" in output, output[-3000:]
        assert "warning: patch" not in output
    for edition in ("press", "screen"):
        patched = _words_per_page(outs["patched"] / f"asiakaspalvelu-{edition}.pdf")
        stock = _words_per_page(outs["stock"] / f"asiakaspalvelu-{edition}.pdf")
        assert len(stock) == len(patched)
        repeated = []
        for number, (ours, theirs) in enumerate(zip(patched, stock, strict=True), start=1):
            if ours != theirs:
                assert _repeated_footnote(theirs, stock[number - 2], ours), f"{edition} p. {number}"
                repeated.append(number)
        assert len(repeated) <= 1, repeated
