"""The pipeline: config -> content -> model -> HTML -> PDF editions -> checks.

Everything is loaded and validated before the first PDF is rendered; each PDF
is written atomically only after it rendered and passed its checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from . import checks
from .colour import OutputProfile, load_output_profile
from .config import Project, load_config
from .content import load_chapters
from .errors import WorkbookError, display_path
from .fonts import book_fonts, check_coverage
from .htmlbook import DEFAULT_RESOURCES, Resources, render_html
from .hyphenation import hyphenator_for
from .illustrations import load_manifest
from .imaging import Prepared, prepare_book, prepare_charts
from .model import Book, assemble
from .palette import Palette, load_palette
from .pdf import render_pdf, write_atomic
from .postprocess import finish
from .survey import load_surveys
from .variants import VARIANTS, Variant

Report = Callable[[str], None]


@dataclass
class EditionResult:
    """What building one edition produced."""

    variant: Variant
    path: Path
    pages: int
    warnings: list[str] = field(default_factory=list)
    checks: list[checks.CheckResult] = field(default_factory=list)
    images: dict[str, Prepared] = field(default_factory=dict)

    @property
    def images_converted(self) -> int:
        """How many illustrations were converted (not taken from the cache)."""
        return sum(1 for image in self.images.values() if image.converted)


@dataclass
class BuildResult:
    """All editions built in one run."""

    book: Book
    editions: list[EditionResult]


def load_book(config_path: Path, resources: Resources = DEFAULT_RESOURCES) -> Book:
    """Load and validate everything a build needs; render nothing."""
    project = load_config(config_path)
    sources = load_chapters(project)
    manifest = load_manifest(project)
    surveys = load_surveys(project)
    hyphenator = hyphenator_for(project.config.publication.language)
    book = assemble(project, sources, hyphenator, manifest, surveys)
    faces = book_fonts(resources.styles / "fonts")
    pub = project.config.publication
    front = " ".join([pub.title, pub.subtitle, *pub.authors, pub.illustrator, pub.publisher])
    config_lines = project.config_path.read_text(encoding="utf-8").splitlines()
    check_coverage(front, faces, path=project.config_path, lines=config_lines)
    for chapter in book.chapters:
        source = chapter.source
        check_coverage(chapter.title + chapter.text, faces, path=source.path, lines=source.lines)
    return book


def select_variants(names: Sequence[str] | None) -> list[Variant]:
    """Variants by name (all when *names* is empty)."""
    if not names:
        return list(VARIANTS.values())
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise WorkbookError(
            f"unknown edition '{unknown[0]}'", hint="choose from " + ", ".join(VARIANTS)
        )
    return [VARIANTS[n] for n in names]


@dataclass(frozen=True)
class EditionJob:
    """Everything needed to render, finish, check and write one edition."""

    variant: Variant
    html: str
    target: Path
    prepared: dict[str, Path]  # illustration:<id> and chart:<id> URLs -> files
    images: dict[str, Prepared]


@dataclass(frozen=True)
class RunSettings:
    """What all editions of one build share."""

    book: Book
    allowed: tuple[Path, ...]
    resources: Resources
    profile: OutputProfile
    strict: bool
    verify: bool  # run the build checks before writing (off only to test the preflight)


def build(
    config_path: Path,
    *,
    out_dir: Path = Path("build"),
    editions: Sequence[str] | None = None,
    strict: bool = False,
    resources: Resources = DEFAULT_RESOURCES,
    report: Report = print,
    verify: bool = True,
) -> BuildResult:
    """Build the chosen editions of the publication described by *config_path*."""
    variants = select_variants(editions)
    book = load_book(config_path, resources)
    project = book.project
    palette = load_palette(resources.styles / "palette.toml")
    profile = load_output_profile(project)
    allowed = (project.root, resources.styles, resources.templates, profile.path.parent)
    settings = RunSettings(book, allowed, resources, profile, strict, verify)
    jobs = [_plan(book, v, palette, profile, resources, out_dir) for v in variants]

    results: list[EditionResult] = []
    written: list[Path] = []
    for job in jobs:
        try:
            result = _build_edition(job, settings)
        except WorkbookError as exc:
            kept = "the previous file is kept" if job.target.exists() else "no file was written"
            done = ", ".join(display_path(p) for p in written) or "none"
            exc.message += f" [{job.variant.name} edition failed; {kept}; written so far: {done}]"
            raise
        written.append(job.target)
        results.append(result)
        _report(result, report)
    return BuildResult(book=book, editions=results)


def _plan(
    book: Book,
    variant: Variant,
    palette: Palette,
    profile: OutputProfile,
    resources: Resources,
    out_dir: Path,
) -> EditionJob:
    """Prepare one edition's images, charts and HTML (no rendering yet)."""
    images = prepare_book(book, variant, profile, out_dir / "cache" / "images")
    charts = prepare_charts(book, variant, palette, out_dir / "cache" / "charts")
    cmyk = variant.colour_space == "cmyk"
    html = render_html(book, variant, palette, resources, profile=profile if cmyk else None)
    prepared = {
        **{f"illustration:{ident}": image.path for ident, image in images.items()},
        **{f"chart:{ident}": path for ident, path in charts.items()},
    }
    target = out_dir / variant.filename(book.project.config.publication.slug)
    return EditionJob(variant, html, target, prepared, images)


def _report(result: EditionResult, report: Report) -> None:
    passed = sum(1 for c in result.checks if c.status == "pass")
    report(
        f"{result.variant.name:>6}: {display_path(result.path)} ({result.pages} pages, "
        f"{result.path.stat().st_size / 1024:.0f} KiB; {passed}/{len(result.checks)} "
        "build checks passed: " + ", ".join(c.name for c in result.checks) + ")"
    )
    if result.images:
        report(
            f"        illustrations: {len(result.images)}, "
            f"{result.images_converted} converted, "
            f"{len(result.images) - result.images_converted} from the cache"
        )
    for warning in result.warnings:
        report(f"        warning: {warning}")


def locate_url(book: Book, url: str) -> tuple[Path, int | None] | None:
    """The chapter file and line that refer to *url* (by the URL or its file name)."""
    name = unquote(urlparse(url).path).rsplit("/", 1)[-1]
    for chapter in book.chapters:
        for needle in (url, name):
            if needle and (line := chapter.source.line_of(needle)) is not None:
                return chapter.source.path, line
    return None


def _build_edition(job: EditionJob, settings: RunSettings) -> EditionResult:
    book = settings.book
    project: Project = book.project
    variant = job.variant
    job.target.parent.mkdir(parents=True, exist_ok=True)
    (job.target.with_suffix(".html")).write_text(job.html, encoding="utf-8")
    rendered = render_pdf(
        job.html,
        base=project.root,
        variant=variant,
        allowed=settings.allowed,
        source=project.config_path,
        locate=lambda url: locate_url(book, url),
        prepared=job.prepared,
    )
    data = finish(
        rendered.data, variant=variant, book=book, splits=rendered.splits, profile=settings.profile
    )
    results = checks.check_edition(
        data, variant=variant, book=book, stylesheet=settings.resources.styles / "book.css"
    )
    strict = settings.strict
    failed = [r for r in results if r.status == "fail" or (strict and r.status == "warn")]
    if strict and rendered.warnings:
        raise WorkbookError(
            f"{variant.name} edition: WeasyPrint warning in strict mode: {rendered.warnings[0]}",
            path=project.config_path,
            hint="fix the warning or build without --strict",
        )
    if failed and settings.verify:
        first = failed[0]
        raise WorkbookError(
            f"{variant.name} edition failed check '{first.name}': {first.measured}",
            path=project.config_path,
            hint=first.rule,
        )
    write_atomic(job.target, data)
    return EditionResult(
        variant, job.target, checks.page_count(data), rendered.warnings, results, job.images
    )
