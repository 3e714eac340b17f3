"""The reflowable editions in the pipeline: when to build them, how, and their checks.

``invoke build`` builds the EPUB (``build/<slug>.epub``), the web edition and
its download page (``build/web/``) whenever their inputs changed: the
sources (the same digest as the PDFs'), the page starts of the print edition
they take their page list from, and the files the download page offers. The
slow part, subsetting the fonts, runs in a process of its own while WeasyPrint
renders the PDFs (:func:`prepare`); the rest follows once the print edition is
written and its page starts are known (:func:`finish`). The EPUB is written
atomically and the web edition is assembled in a temporary folder that then
takes the place of the old one, so a failure leaves the previous good files.

The checks (:func:`start_checks`) run the validators of :mod:`.validate` in the
background while the preflight checks the PDFs, then write the accessibility
statement from all the results into the download page.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.errors import WorkbookError, display_path
from workbook.pipeline import freshness
from workbook.render import pagestarts

if TYPE_CHECKING:
    from workbook.html.book import Resources
    from workbook.model import Book
    from workbook.preflight.checks import CheckResult
    from workbook.preflight.core import Preflight

STATE_VERSION = 1
WEB_DIR = "web"
PAGE_SOURCES = ("press", "screen")  # the print edition first; both have the same pages
OFFERED = ("screen", "handout", "handout-notes")  # and "press" with web.list_press
INDEX = "index.html"


def targets(out_dir: Path, slug: str) -> tuple[Path, Path]:
    """Where the EPUB and the web edition go."""
    return out_dir / f"{slug}.epub", out_dir / WEB_DIR


def _state_path(out_dir: Path, slug: str, kind: str) -> Path:
    return out_dir / freshness.STATE_DIR / f"{slug}.{kind}.json"


def _read(path: Path) -> dict:
    return freshness.read_json_part(path, STATE_VERSION, "state")


def _write(path: Path, state: dict) -> None:
    freshness.write_json(path, {"version": STATE_VERSION, "state": state}, indent=1)


def files_digest(files: Mapping[str, bytes]) -> str:
    """One digest of files by their relative names and contents."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def folder_digest(folder: Path, skip: Iterable[str] = (INDEX,)) -> str | None:
    """:func:`files_digest` of a folder on disk (None when it is missing)."""
    if not folder.is_dir():
        return None
    skipped = set(skip)
    files = {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and str(p.relative_to(folder)) not in skipped
    }
    return files_digest(files)


def _fresh_pdf(state: dict, out_dir: Path, slug: str, name: str, digest: str) -> Path | None:
    """The edition's PDF when it was built from inputs *digest* and is unchanged since."""
    entry = state.get(name, {})
    pdf = out_dir / f"{slug}-{name}.pdf"
    if entry.get("inputs") == digest and entry.get("pdf") == freshness.file_digest(pdf):
        return pdf
    return None


def page_source(out_dir: Path, slug: str, digest: str, built: Iterable[str] = ()) -> str | None:
    """The edition whose page starts the e-book takes: built in this run, or up to date."""
    built = set(built)
    state = freshness.read_state(out_dir, slug)
    for name in PAGE_SOURCES:
        fresh = name in built or _fresh_pdf(state, out_dir, slug, name, digest) is not None
        path = pagestarts.starts_path(out_dir, f"{slug}-{name}.pdf")
        if fresh and pagestarts.read_starts(path) is not None:
            return name
    return None


def offered(
    out_dir: Path, slug: str, digest: str, list_press: bool, built: Iterable[str] = ()
) -> list[str]:
    """The PDF editions the download page offers: those built from these sources."""
    built = set(built)
    state = freshness.read_state(out_dir, slug)
    names = [*OFFERED, "press"] if list_press else list(OFFERED)
    return [
        n for n in names if n in built or _fresh_pdf(state, out_dir, slug, n, digest) is not None
    ]


def _inputs_key(out_dir: Path, slug: str, digest: str, source: str, pdfs: list[str]) -> dict:
    starts = pagestarts.starts_path(out_dir, f"{slug}-{source}.pdf")
    return {
        "inputs": digest,
        "source": source,
        "starts": freshness.file_digest(starts),
        "offered": {n: freshness.file_digest(out_dir / f"{slug}-{n}.pdf") for n in pdfs},
    }


def stale(config_path: Path, out_dir: Path, digest: str | None = None) -> bool:
    """Whether the EPUB or the web edition is missing, changed, or older than its inputs.

    Reads no heavy module: a build with nothing to do stays fast.
    """
    slug = freshness.slug_of(config_path)
    if slug is None:
        return True
    digest = digest or freshness.inputs_digest(config_path, out_dir)
    state = _read(_state_path(out_dir, slug, "ebook"))
    source = page_source(out_dir, slug, digest)
    if not state or source is None:
        return True
    pdfs = offered(out_dir, slug, digest, bool(state.get("list_press")))
    epub, web = targets(out_dir, slug)
    return (
        state.get("key") != _inputs_key(out_dir, slug, digest, source, pdfs)
        or state.get("epub") != freshness.file_digest(epub)
        or state.get("web") != folder_digest(web)
        or not (web / INDEX).is_file()
    )


def needs_pages(config_path: Path, out_dir: Path, digest: str) -> bool:
    """Whether no written print or screen edition can give the e-book its page list."""
    slug = freshness.slug_of(config_path)
    return slug is None or page_source(out_dir, slug, digest) is None


def prepare(book: Book, resources: Resources, out_dir: Path) -> dict[str, Path]:
    """The slow part that needs no page numbers: the fonts' WOFF2 subsets."""
    from workbook.ebook.assets import fonts

    return fonts(book, resources.styles, out_dir / "cache")


@dataclass
class EbookResult:
    """What :func:`finish` wrote."""

    epub: Path
    web: Path
    pages: int  # entries in the page list
    documents: int
    pages_differing: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = ""  # the edition the page list comes from


def finish(
    book: Book,
    *,
    out_dir: Path,
    resources: Resources,
    digest: str | None,
    built: Mapping[str, int],
    subsets: dict[str, Path] | None = None,
    strict: bool = False,
) -> EbookResult:
    """Write the EPUB and the web edition; *built* maps the PDF editions written in
    this run to their page counts, *digest* is the sources' (None: read now). With
    *strict* a warning stops it before anything is written."""
    from workbook.config.palette import load_palette
    from workbook.ebook import content, download, epub, web
    from workbook.ebook.assets import prepare_assets
    from workbook.render.pdf import write_atomic

    config = book.project.config
    pub = config.publication
    slug = pub.slug
    digest = digest or freshness.inputs_digest(book.project.config_path, out_dir)
    source = page_source(out_dir, slug, digest, built)
    if source is None:
        raise WorkbookError(
            "the e-book needs the page starts of the press or screen edition",
            path=out_dir / freshness.STATE_DIR,
            hint="build a book edition with it: invoke build (or -e screen -e ebook)",
        )
    found = pagestarts.read_starts(pagestarts.starts_path(out_dir, f"{slug}-{source}.pdf"))
    assert found is not None  # page_source read it
    starts, anchors = found
    palette = load_palette(resources.styles / "palette.toml")
    assets = prepare_assets(book, resources.styles, palette, out_dir / "cache", subsets)
    converted = content.convert(book, assets, starts, anchors)
    warnings = _warnings(book, converted.pages.differing)
    if strict and warnings:
        raise WorkbookError(
            f"e-book: warning in strict mode: {warnings[0]}",
            path=book.project.config_path,
            hint="fix the warning or build without --strict",
        )
    files, facts = epub.package(book, converted, assets, resources)
    day = pub.date or datetime.date(pub.year, 1, 1)
    epub_path, web_dir = targets(out_dir, slug)
    write_atomic(epub_path, epub.zip_bytes(files, day))

    pdfs = offered(out_dir, slug, digest, config.web.list_press, built)
    downloads = [
        download.offer(n, out_dir / f"{slug}-{n}.pdf", _pages(out_dir, slug, n, built))
        for n in pdfs
    ]
    downloads.insert(1 if "screen" in pdfs else 0, download.offer("epub", epub_path, facts.pages))
    pages = web.pages(book, converted, assets, resources)
    for item in downloads:
        pages[f"{download.DOWNLOADS_DIR}/{item.name}"] = Path(item.source).read_bytes()
    checks = _read(_state_path(out_dir, slug, "ebook-checks"))
    key = _checks_key(epub_path, files_digest(pages), out_dir, slug, pdfs)
    results = checks.get("statement") if checks.get("key") == key else None
    pages[INDEX] = download.index_page(book.project, resources, downloads, results)
    write_folder(web_dir, pages)
    _write(
        _state_path(out_dir, slug, "ebook"),
        {
            "key": _inputs_key(out_dir, slug, digest, source, pdfs),
            "epub": freshness.file_digest(epub_path),
            "web": folder_digest(web_dir),
            "list_press": config.web.list_press,
            "downloads": download.as_data(downloads),
            "offered": pdfs,
        },
    )
    return EbookResult(
        epub_path,
        web_dir,
        converted.page_count,
        facts.documents,
        converted.pages.differing,
        warnings,
        source,
    )


def _warnings(book: Book, differing: list[int]) -> list[str]:
    """What the e-book warns about: no ISBN of its own, no feedback contact, markers
    that could not be placed exactly."""
    from workbook.ebook.epub import check_isbn

    warnings = check_isbn(book)
    if not book.project.config.accessibility.contact:
        warnings.append(
            f"{book.project.config_path.name}: no accessibility.contact; the accessibility "
            "statement names no feedback channel (add a web form or a role mailbox)"
        )
    if differing:
        warnings.append(
            "e-book: page-break markers of pages "
            + ", ".join(map(str, differing))
            + " are near, not at, where the printed page begins"
        )
    return warnings


def report_lines(outcome: EbookResult) -> list[str]:
    """What the build says about the e-book, as its lines for the editions."""
    size = outcome.epub.stat().st_size / 1024
    lines = [
        f" ebook: {display_path(outcome.epub)} ({size:.0f} KiB, {outcome.documents} documents, "
        f"{outcome.pages} printed pages in its page list, from the {outcome.source} edition)",
        f"   web: {display_path(outcome.web)}/ (download page {INDEX}, one page per chapter)",
    ]
    return lines + [f"        warning: {w}" for w in outcome.warnings]


def _pages(out_dir: Path, slug: str, name: str, built: Mapping[str, int]) -> int:
    if name in built:
        return built[name]
    import pikepdf

    with pikepdf.open(out_dir / f"{slug}-{name}.pdf") as pdf:
        return len(pdf.pages)


def write_folder(target: Path, files: Mapping[str, bytes]) -> None:
    """Make the folder *target* hold exactly *files* (relative name -> bytes), never
    half-written: it is assembled beside *target* and then takes its place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, data in files.items():
            path = temp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for path in temp.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(temp, 0o755)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            os.replace(target, old)
        os.replace(temp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


# ---- The checks ----


def _checks_key(epub: Path, web: str | None, out_dir: Path, slug: str, pdfs: list[str]) -> dict:
    return {
        "epub": freshness.file_digest(epub),
        "web": web,
        "pdfs": {n: freshness.file_digest(out_dir / f"{slug}-{n}.pdf") for n in sorted(pdfs)},
    }


def checks_fresh(config_path: Path, out_dir: Path) -> bool:
    """Whether the last check passed on exactly these EPUB and web files."""
    slug = freshness.slug_of(config_path)
    if slug is None:
        return False
    state = _read(_state_path(out_dir, slug, "ebook"))
    checks = _read(_state_path(out_dir, slug, "ebook-checks"))
    epub, web = targets(out_dir, slug)
    key = _checks_key(epub, folder_digest(web), out_dir, slug, state.get("offered", []))
    index = freshness.file_digest(web / INDEX)
    return bool(checks.get("passed")) and checks.get("key") == key and checks.get("index") == index


@dataclass
class Checking:
    """The e-book's validators, running while the PDFs are checked."""

    config_path: Path
    out_dir: Path
    slug: str
    running: object  # validate.Running

    def cancel(self) -> None:
        """Stop the validators (the PDF checks failed)."""
        self.running.cancel()  # type: ignore[attr-defined]

    def finish(
        self, preflight: Preflight | None, report: Callable[[str], None]
    ) -> list[CheckResult]:
        """Collect the validators, write the statement into the download page, check
        that page, and return the results as the preflight's CheckResults."""
        from workbook.config.publication import load_config
        from workbook.ebook import download, validate
        from workbook.html.book import DEFAULT_RESOURCES

        epub, web = targets(self.out_dir, self.slug)
        results = self.running.results()  # type: ignore[attr-defined]
        state = _read(_state_path(self.out_dir, self.slug, "ebook"))
        pdf_lines = _pdf_lines(preflight)
        statement = pdf_lines + [
            r.as_dict()
            for r in (results.get("epubcheck"), results.get("ace"), results.get("web-axe"))
            if r
        ]
        links = validate.check_links(web)
        statement.append(links.as_dict())
        downloads = download.from_data(state.get("downloads", []))
        project = load_config(self.config_path)
        page = download.index_page(project, DEFAULT_RESOURCES, downloads, statement)
        index = web / INDEX
        if not index.is_file() or index.read_bytes() != page:
            from workbook.render.pdf import write_atomic

            write_atomic(index, page)
            report(f"e-book: accessibility statement written into {display_path(index)}")
        running = self.running
        kept = running.page_result(web, INDEX)  # type: ignore[attr-defined]
        pages = results.get("web-axe")
        axe = validate.combine("web-axe", [pages, kept] if pages else [kept])
        links = validate.check_links(web)
        final = [r for r in (results.get("epubcheck"), results.get("ace"), axe, links) if r]
        checks_key = _checks_key(
            epub, folder_digest(web), self.out_dir, self.slug, state.get("offered", [])
        )
        _write(
            _state_path(self.out_dir, self.slug, "ebook-checks"),
            {
                "key": checks_key,
                "statement": statement,
                "index": freshness.file_digest(index),
                "passed": all(r.status == "pass" for r in final),
            },
        )
        return [_check_result(r) for r in final]


def _pdf_lines(preflight: Preflight | None) -> list[dict]:
    if preflight is None:
        return []
    lines = []
    for edition in preflight.editions:
        if edition.variant.name != "screen":
            continue
        for r in [*edition.results, *preflight.both]:
            lines.append(
                {"name": r.name, "scope": "screen", "status": r.status, "measured": r.measured}
            )
    return lines


def _check_result(result) -> CheckResult:
    from workbook.preflight.checks import CheckResult

    return CheckResult(
        result.name, result.status, result.measured, result.rule, details=tuple(result.details)
    )


def start_checks(config_path: Path, out_dir: Path) -> Checking | None:
    """Start the e-book's validators in the background (None: no e-book was built)."""
    from workbook.ebook import validate

    slug = freshness.slug_of(config_path)
    if slug is None:
        return None
    epub, web = targets(out_dir, slug)
    if not epub.is_file() or not web.is_dir():
        return None
    cache = _state_path(out_dir, slug, "ebook-checks-tools")
    running = validate.start(epub, web, cache, then=(INDEX,))
    return Checking(config_path, out_dir, slug, running)
