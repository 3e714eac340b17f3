"""The robustness corpus: bad inputs and faults, one or more per class of docs/errors.md.

Every case builds a tiny publication (``fixtures/base`` with the case's files
laid over it) with ``invoke build`` in a child process, over the outputs of a
good earlier build, with ``TMPDIR`` pointing at a folder of its own, and
:func:`corpus.judge` asserts the exit code, exactly the expected ``error:``
lines naming the right file and line, no traceback, the previous outputs
untouched after a failure, and nothing left in the output folder or ``TMPDIR``.

The classes (docs/errors.md, "What the corpus covers"):

1. faults outside the content: one line, never a traceback or a hang;
2. errors found after rendering name the chapter file and line; what can be
   caught before rendering is;
3. content errors are collected and reported together, up to a limit;
4. a report is always written; a failed PDF goes to ``rejected/``;
5. the outputs of one build are replaced together or not at all;
6. untrusted text is escaped, raw HTML passes an allowlist;
7. nothing is left behind (see also test_kill.py);
8. one policy for paths: nothing outside the publication folder;
9. limits on size, nesting and pages, checked before rendering;
10. what editors' tools really write (EXIF, Finnish numbers, UTF-16);
11. ordinary writing never fails the build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from corpus import (
    SLUG,
    Expect,
    Run,
    base_publication,
    cmyk_tiff,
    judge,
    portrait_photo,
    run_build,
)

from conftest import REPO, chapter

CASES: list[tuple[str, str, Callable[[Run], Expect]]] = []


def case(klass: str, name: str | None = None):
    """Register a case of *klass* ("1" ... "11"), named after its function."""

    def register(setup: Callable[[Run], Expect]) -> Callable[[Run], Expect]:
        CASES.append((klass, name or setup.__name__.replace("_", "-"), setup))
        return setup

    return register


def can_unshare() -> bool:
    """Whether this machine lets a user namespace mount file systems (tmpfs, ro binds);
    ``WORKBOOK_TEST_NO_UNSHARE=1`` tries the fallbacks."""
    if not shutil.which("unshare") or os.environ.get("WORKBOOK_TEST_NO_UNSHARE"):
        return False
    try:
        done = subprocess.run(
            ["unshare", "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt 2>/dev/null || exit 1"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


UNSHARE = can_unshare()


def in_namespace(run: Run, mount: str) -> None:
    """Run the build in a user and mount namespace after *mount* (shell) set up its
    output folder; the outcome that vanishes with the namespace is copied out first."""
    keep = run.root / "kept"
    script = (
        f"{mount}\n"
        f'"$@"; code=$?\n'
        f"mkdir -p '{keep}'; cp -a '{run.out}/.' '{keep}/' 2>/dev/null\n"
        "exit $code\n"
    )
    run.prefix = ["unshare", "-rm", "sh", "-c", script, "sh"]


# ---- 1. faults outside the content ----


@case("1")
def out_names_a_file(run: Run) -> Expect:
    target = run.root / "ein-kansio.pdf"
    target.write_bytes(b"%PDF-1.7 not a folder")
    run.out_arg = target
    return Expect(where=[str(target)], says=["is a file, not a folder"])


@case("1")
def read_only_output_folder(run: Run) -> Expect:
    if not UNSHARE:
        if os.geteuid() == 0:
            pytest.skip("needs a user namespace (unshare) to make a read-only folder as root")
        run.out.chmod(0o555)
    else:
        in_namespace(
            run,
            f"mount --bind '{run.out}' '{run.out}' && "
            f"mount -o remount,ro,bind '{run.out}' || exit 99",
        )
    run.append("chapters/01-alku.md", "\nUusi kappale.\n")
    return Expect(where=[str(run.out)], says=["cannot write"])


@case("1")
def full_disk(run: Run) -> Expect:
    run.append("chapters/01-alku.md", "\nUusi kappale.\n")
    if UNSHARE:
        # The previous outputs on a small file system, then the rest of it filled.
        hold = run.root / "hold"
        in_namespace(
            run,
            f"cp -a '{run.out}' '{hold}' && mount -t tmpfs -o size=4m tmpfs '{run.out}' && "
            f"cp -a '{hold}/.' '{run.out}/' && "
            f"(cat /dev/zero > '{run.out}/filler' 2>/dev/null; true) || exit 99",
        )
        return Expect(where=[str(run.out)], says=["No space left on device"])
    run.prefix = [sys.executable, "-c", _FSIZE, "100000"]  # below a press PDF's size
    return Expect(where=[str(run.out)], says=["File too large"])


_FSIZE = (
    "import os, resource, sys; limit = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)); "
    "os.execvp(sys.argv[2], sys.argv[2:])"
)


def _corrupt_caches(run: Run, damage: Callable[[bytes], bytes]) -> Expect:
    for folder in ("cache", ".state", "preflight/.cache"):
        for path in (run.out / folder).rglob("*"):
            if path.is_file():
                path.write_bytes(damage(path.read_bytes()))
    return Expect(exit=0)


@case("1")
def corrupt_caches_garbage(run: Run) -> Expect:
    return _corrupt_caches(run, lambda data: b"\x00garbage\xff" * 7)


@case("1")
def corrupt_caches_truncated(run: Run) -> Expect:
    return _corrupt_caches(run, lambda data: data[: len(data) // 2])


@case("1")
def special_files_in_publication(run: Run) -> Expect:
    (run.pub / "vanha-luonnos.md").symlink_to(run.root / "poistettu.md")  # broken
    os.mkfifo(run.pub / "putki")
    os.mkfifo(run.pub / "chapters" / "putki.txt")
    return Expect(exit=0)


@case("1")
def chapter_is_a_named_pipe(run: Run) -> Expect:
    os.mkfifo(run.chapter("03-putki.md"))
    return Expect(where=["chapters/03-putki.md"], says=["not a regular file"])


@case("1")
def chapter_is_a_broken_symlink(run: Run) -> Expect:
    run.chapter("03-linkki.md").symlink_to(run.root / "poistettu.md")
    return Expect(where=["chapters/03-linkki.md"], says=["broken link"])


@case("1")
def font_file_not_a_font(run: Run) -> Expect:
    # A copy of the pipeline whose fonts folder holds a file that is no font.
    code = run.root / "code"
    for name in ("src", "styles", "templates"):
        shutil.copytree(REPO / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO / "tasks.py", code / "tasks.py")
    bad = code / "styles" / "fonts" / "inter" / "Inter-Black.otf"
    bad.write_bytes(b"<html>404 Not Found</html>")
    run.env = {"PYTHONPATH": str(code / "src")}
    run.code = code
    return Expect(where=[str(bad)], says=["not a font"])


@case("1")
def cmyk_tiff_without_profile(run: Run) -> Expect:
    cmyk_tiff(run.pub / "illustrations" / "kuva.tif", (520, 390))
    manifest = run.pub / "illustrations" / "illustrations.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("kuva.png", "kuva.tif"))
    return Expect(exit=0)


@case("1")
def cmyk_tiff_with_rgb_profile(run: Run) -> Expect:
    from PIL import Image, ImageCms

    tiff = run.pub / "illustrations" / "kuva.tif"
    cmyk_tiff(tiff, (520, 390))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    with Image.open(tiff) as image:
        image.load()
        image.save(tiff, icc_profile=srgb)
    manifest = run.pub / "illustrations" / "illustrations.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("kuva.png", "kuva.tif"))
    return Expect(exit=0)


@case("1")
def deep_nesting(run: Run) -> Expect:
    return Expect(where=["chapters/03-sisakkain.md:7"], says=["nested"])


@case("1")
def renderer_cannot_draw(run: Run) -> Expect:
    run.write(
        "chapters/03-liuku.md",
        chapter(
            "Liukuväri",
            '<div style="background: linear-gradient(var(--accent), var(--paper))">Teksti</div>',
        ),
    )
    return Expect(where=["chapters/03-liuku.md:5"], says=["'style'"])


# ---- 2. errors name the chapter file and line ----


@case("2")
def hash_heading(run: Run) -> Expect:
    return Expect(where=["chapters/03-otsikot.md:7"], says=["'#' heading"])


@case("2")
def skipped_heading_level(run: Run) -> Expect:
    return Expect(where=["chapters/03-otsikot.md:9"], says=["heading level"])


@case("2")
def hand_typed_input(run: Run) -> Expect:
    return Expect(where=["chapters/03-lomake.md:7"], says=["<input>"])


@case("2")
def post_render_overflow(run: Run) -> Expect:
    return Expect(where=["chapters/03-pitka.md:7"], says=["type-area"])


@case("2")
def press_only_failure(run: Run) -> Expect:
    return Expect(where=["chapters/03-rgb.md:7"], says=["cmyk-only"])


@case("2")
def csv_markup(run: Run) -> Expect:
    return Expect(exit=0)


# ---- 3. all content errors in one run ----


@case("3")
def deleted_chapters(run: Run) -> Expect:
    lines = (5, 7, 9, 9)
    return Expect(
        where=[f"chapters/03-viitteet.md:{n}" for n in lines],
        says=["'#menetelmat'", "'#aineisto'", "'#menetelmat'", "'#tausta'"],
    )


@case("3")
def errors_in_many_files(run: Run) -> Expect:
    return Expect(
        where=["chapters/03-rikki.md:3", "data/valid-likert.csv:3", "chapters/04-kuvat.md:5"],
        says=["otsikko", "negative", "kuvaa-ei-ole"],
    )


@case("3")
def error_limit(run: Run) -> Expect:
    body = "\n\n".join(f"Katso [[#puuttuu-{n}]]." for n in range(30))
    run.write("chapters/03-viitteet.md", chapter("Viitteet", body))
    where = [f"chapters/03-viitteet.md:{5 + 2 * n}" for n in range(20)]
    return Expect(where=where)


# ---- 4. a report is always written ----


@case("4")
def report_after_failed_check(run: Run) -> Expect:
    shutil.copytree(
        Path(__file__).parent / "fixtures" / "post-render-overflow", run.pub, dirs_exist_ok=True
    )
    return Expect(where=["chapters/03-pitka.md:7"], says=["type-area"])


@case("4")
def no_check_means_no_checks(run: Run) -> Expect:
    shutil.copytree(
        Path(__file__).parent / "fixtures" / "post-render-overflow", run.pub, dirs_exist_ok=True
    )
    run.args = ["--no-check"]
    return Expect(exit=0)


# ---- 5. editions in step ----


@case("5")
def press_fails_screen_passes(run: Run) -> Expect:
    shutil.copytree(
        Path(__file__).parent / "fixtures" / "press-only-failure", run.pub, dirs_exist_ok=True
    )
    return Expect(where=["chapters/03-rgb.md:7"], says=["cmyk-only"])


# ---- 6. untrusted text ----


@case("6")
def raw_html_refused(run: Run) -> Expect:
    return Expect(
        where=[f"chapters/03-html.md:{n}" for n in (5, 7, 9, 11)],
        says=["'style'", "<script>", "javascript:", "<img>"],
    )


@case("6")
def raw_html_allowed(run: Run) -> Expect:
    return Expect(exit=0)


@case("6")
def csv_markup_escaped(run: Run) -> Expect:
    shutil.copytree(Path(__file__).parent / "fixtures" / "csv-markup", run.pub, dirs_exist_ok=True)
    return Expect(exit=0)


# ---- 7. nothing left behind (and test_kill.py) ----


@case("7")
def leftovers_of_killed_builds(run: Run) -> Expect:
    """What killed builds (of this version and earlier ones) left is cleaned away."""
    pdf = (run.out / f"{SLUG}-press.pdf").read_bytes()
    (run.out / "tmpab12cd_4.pdf").write_bytes(pdf)  # an earlier version's checked copy
    (run.out / f".{SLUG}-press.pdf.x1y2z3.part").write_bytes(pdf[:100])
    (run.out / ".state" / ".testikirja.json.abc.tmp").write_text("{")
    dead = run.out / ".tmp" / "run-1-deadbeef"
    (dead / "out").mkdir(parents=True)
    (dead / "out" / f"{SLUG}-press.pdf").write_bytes(pdf[:1000])
    (dead / "tmp" / "weasyprint-x").mkdir(parents=True)
    drawings = run.out / "preflight" / ".cache" / "press"
    (drawings / "drawing-01.ppm").write_bytes(b"P6")
    (drawings / "pages-abc").mkdir()
    return Expect(exit=0)


# ---- 8. one policy for paths ----


def _outside(run: Run) -> Path:
    outside = run.root / "muualla"
    outside.mkdir(exist_ok=True)
    return outside


def _set(run: Run, table: str, key: str, value: str) -> int:
    """Set ``[table] key = value`` in publication.toml; return the key's line."""
    text = run.config.read_text(encoding="utf-8")
    header = f"[{table}]\n"
    line = f"{key} = {value}\n"
    if header in text:
        head, _, rest = text.partition(header)
        kept = [row for row in rest.splitlines(keepends=True) if not row.startswith(f"{key} =")]
        text = head + header + line + "".join(kept)
    else:
        text += f"\n{header}{line}"
    run.config.write_text(text, encoding="utf-8")
    return text.splitlines().index(line.rstrip("\n")) + 1


@case("8")
def chapter_list_escapes(run: Run) -> Expect:
    line = _set(run, "content", "chapters", '["01-alku.md", "../../../../etc/passwd"]')
    return Expect(where=[f"publication.toml:{line}"], says=["outside the publication folder"])


@case("8")
def chapters_dir_absolute(run: Run) -> Expect:
    line = _set(run, "content", "chapters_dir", f'"{_outside(run)}"')
    return Expect(where=[f"publication.toml:{line}"], says=["outside the publication folder"])


@case("8")
def manifest_outside(run: Run) -> Expect:
    outside = _outside(run)
    shutil.copytree(run.pub / "illustrations", outside, dirs_exist_ok=True)
    os.mkfifo(outside / "putki")  # walking this folder would hang on it
    line = _set(run, "images", "manifest", f'"{outside}/illustrations.toml"')
    return Expect(where=[f"publication.toml:{line}"], says=["outside the publication folder"])


@case("8")
def illustration_file_escapes(run: Run) -> Expect:
    outside = _outside(run)
    shutil.copyfile(run.pub / "illustrations" / "kuva.png", outside / "kuva.png")
    manifest = run.pub / "illustrations" / "illustrations.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"kuva.png"', '"../../muualla/kuva.png"')
    )
    return Expect(where=["illustrations/illustrations.toml:3"], says=["outside the publication"])


@case("8")
def chapter_symlink_outside(run: Run) -> Expect:
    secret = _outside(run) / "salainen.md"
    secret.write_text(chapter("Salainen", "Ei kuulu kirjaan."), encoding="utf-8")
    run.chapter("03-linkki.md").symlink_to(secret)
    return Expect(where=["chapters/03-linkki.md"], says=["outside the publication"])


@case("8")
def data_symlink_outside(run: Run) -> Expect:
    csv = run.pub / "data" / "valid-likert.csv"
    target = _outside(run) / "valid-likert.csv"
    shutil.move(csv, target)
    csv.symlink_to(target)
    return Expect(where=["data/kyselyt.toml:2"], says=["outside the publication"])


@case("8")
def profile_outside(run: Run) -> Expect:
    profile = _outside(run) / "painotalo.icc"
    shutil.copyfile(REPO / "styles" / "icc" / "default-cmyk.icc", profile)
    line = _set(run, "colour", "output_profile", '"../muualla/painotalo.icc"')
    return Expect(where=[f"publication.toml:{line}"], says=["outside the publication"])


@case("8")
def allowed_folder_outside(run: Run) -> Expect:
    shared = run.root / "yhteiset"
    shutil.copytree(run.pub / "illustrations", shared)
    _set(run, "images", "manifest", '"../yhteiset/illustrations.toml"')
    _set(run, "paths", "allow", '["../yhteiset"]')
    return Expect(exit=0)


# ---- 9. limits ----


@case("9")
def chapter_too_large(run: Run) -> Expect:
    paragraph = "Pitkä kappale, joka toistuu monta kertaa ja kasvattaa lukua. " * 40
    run.write("chapters/03-valtava.md", chapter("Valtava", "\n\n".join([paragraph] * 800)))
    return Expect(where=["chapters/03-valtava.md"], says=["limits.chapter_size"])


@case("9")
def unclosed_table(run: Run) -> Expect:
    return Expect(where=["chapters/03-taulukko.md:7"], says=["<table>"])


@case("9")
def nesting_limit(run: Run) -> Expect:
    _set(run, "limits", "nesting", "3")
    return Expect(where=["chapters/03-lista.md:8"], says=["limits.nesting"])


@case("9")
def page_limit(run: Run) -> Expect:
    line = _set(run, "limits", "pages", "6")
    paragraph = "Kirjaston asiakaspalvelua kehitetään yhdessä asiakkaiden kanssa. " * 12
    run.write("chapters/03-pitka.md", chapter("Pitkä", "\n\n".join([paragraph] * 60)))
    return Expect(where=[f"publication.toml:{line}"], says=["limits.pages"])


# ---- 10. what editors' tools write ----


@case("10")
def exif_portrait_photo(run: Run) -> Expect:
    portrait_photo(run.pub / "illustrations" / "kuva.jpg", (800, 600))
    manifest = run.pub / "illustrations" / "illustrations.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("kuva.png", "kuva.jpg"))
    return Expect(exit=0)


@case("10")
def nbsp_thousands(run: Run) -> Expect:
    return Expect(exit=0)


@case("10")
def utf16_export(run: Run) -> Expect:
    csv = run.pub / "data" / "valid-likert.csv"
    csv.write_bytes(csv.read_text(encoding="utf-8").encode("utf-16"))
    return Expect(where=["data/valid-likert.csv"], says=["CSV UTF-8 (luetteloerotin)"])


# ---- 11. ordinary writing ----


@case("11")
def ordinary_writing(run: Run) -> Expect:
    return Expect(exit=0)


@case("11")
def glyph_missing(run: Run) -> Expect:
    return Expect(where=["chapters/03-emoji.md:5"], says=["U+1F600"])


# ---- the runs ----


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """The outputs of a good build of the base publication."""
    root = tmp_path_factory.mktemp("previous")
    run = Run("previous", root)
    base_publication(run.pub)
    run_build(run)
    assert run.result is not None and run.result.returncode == 0, run.stderr
    return run.out


@pytest.mark.parametrize(
    ("klass", "setup"),
    [pytest.param(klass, setup, id=f"c{klass}-{name}") for klass, name, setup in CASES],
)
def test_case(klass, setup, tmp_path, previous):
    name = setup.__name__.replace("_", "-")
    run = Run(name, tmp_path)
    base_publication(run.pub, name)
    shutil.copytree(previous, run.out, symlinks=True)
    expect = setup(run)
    run_build(run)
    check_outcome(run, expect, klass)


def check_outcome(run: Run, expect: Expect, klass: str) -> None:
    """:func:`corpus.judge`, and what a case's class promises beyond it."""
    kept = run.root / "kept"
    if kept.is_dir():  # outputs of a namespace that is gone
        shutil.rmtree(run.out)
        shutil.copytree(kept, run.out, symlinks=True)
    judge(run, expect, klass)
    extra = EXTRA.get(run.name)
    if extra is not None:
        extra(run)


def _html(run: Run, edition: str) -> str:
    return (run.out / f"{SLUG}-{edition}.html").read_text(encoding="utf-8")


def _csv_escaped(run: Run) -> None:
    for edition in ("press", "screen"):
        html = _html(run, edition)
        assert "&lt;span style=" in html and "&lt;b&gt;palvelua&lt;/b&gt;" in html
        assert "<script>" not in html and "&lt;script&gt;" in html


def _report_marks_failure(run: Run) -> None:
    report = json.loads((run.out / "preflight" / "report.json").read_text(encoding="utf-8"))
    assert "type-area" in report["failed"]
    html = (run.out / "preflight" / "report.html").read_text(encoding="utf-8")
    assert 'class="bad"' in html and "rejected" in html
    assert (run.out / "rejected" / f"{SLUG}-press.pdf").is_file()


def _written_unchecked(run: Run) -> None:
    assert (run.out / f"{SLUG}-press.pdf").read_bytes() != b""
    assert "checks" not in run.stdout.split("reports:")[0] or "not checked" in run.stdout
    report = json.loads((run.out / "preflight" / "report.json").read_text(encoding="utf-8"))
    assert report["checked"] is False


def _editions_in_step(run: Run) -> None:
    assert (run.out / "rejected" / f"{SLUG}-press.pdf").is_file()
    assert (run.out / "rejected" / f"{SLUG}-screen.pdf").is_file()


def _portrait_placed(run: Run) -> None:
    import re

    html = _html(run, "screen")
    width, height = (
        float(v) for v in re.search(r"width: ([\d.]+)mm; height: ([\d.]+)mm", html).groups()
    )
    assert height > width  # upright: 600 x 800 px


def _ordinary_html(run: Run) -> None:
    html = _html(run, "screen")
    assert 'href="https://pikeextra.wordpress.com/2019/05/12/' in html
    assert 'href="mailto:palaute@kirjasto.example.fi"' in html
    link = html.split('href="https://pikeextra')[1].split("</a>")[0]
    assert "\u00ad" not in link


EXTRA: dict[str, Callable[[Run], None]] = {
    "csv-markup-escaped": _csv_escaped,
    "report-after-failed-check": _report_marks_failure,
    "no-check-means-no-checks": _written_unchecked,
    "press-fails-screen-passes": _editions_in_step,
    "exif-portrait-photo": _portrait_placed,
    "ordinary-writing": _ordinary_html,
}
