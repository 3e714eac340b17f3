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
from .palette import load_palette
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


def build(
    config_path: Path,
    *,
    out_dir: Path = Path("build"),
    editions: Sequence[str] | None = None,
    strict: bool = False,
    resources: Resources = DEFAULT_RESOURCES,
    report: Report = print,
) -> BuildResult:
    """Build the chosen editions of the publication described by *config_path*."""
    variants = select_variants(editions)
    book = load_book(config_path, resources)
    project = book.project
    palette = load_palette(resources.styles / "palette.toml")
    profile = load_output_profile(project)
    cache = out_dir / "cache" / "images"
    allowed = (project.root, resources.styles, resources.templates, profile.path.parent)
    images = {v.name: prepare_book(book, v, profile, cache) for v in variants}
    charts = {
        v.name: prepare_charts(book, v, palette, out_dir / "cache" / "charts") for v in variants
    }
    htmls = {
        v.name: render_html(
            book,
            v,
            palette,
            resources,
            profile=profile if v.colour_space == "cmyk" else None,
        )
        for v in variants
    }

    results: list[EditionResult] = []
    written: list[Path] = []
    for variant in variants:
        target = out_dir / variant.filename(project.config.publication.slug)
        try:
            result = _build_edition(
                book,
                variant,
                htmls[variant.name],
                target,
                allowed,
                resources,
                strict,
                profile,
                images[variant.name],
                charts[variant.name],
            )
            result.images = images[variant.name]
        except WorkbookError as exc:
            kept = "the previous file is kept" if target.exists() else "no file was written"
            done = ", ".join(display_path(p) for p in written) or "none"
            exc.message += f" [{variant.name} edition failed; {kept}; written so far: {done}]"
            raise
        written.append(target)
        results.append(result)
        passed = sum(1 for c in result.checks if c.status == "pass")
        report(
            f"{variant.name:>6}: {display_path(target)} ({result.pages} pages, "
            f"{target.stat().st_size / 1024:.0f} KiB; {passed}/{len(result.checks)} checks passed: "
            + ", ".join(c.name for c in result.checks)
            + ")"
        )
        if result.images:
            report(
                f"        illustrations: {len(result.images)}, "
                f"{result.images_converted} converted, "
                f"{len(result.images) - result.images_converted} from the cache"
            )
        for warning in result.warnings:
            report(f"        warning: {warning}")
    return BuildResult(book=book, editions=results)


def locate_url(book: Book, url: str) -> tuple[Path, int | None] | None:
    """The chapter file and line that refer to *url* (by the URL or its file name)."""
    name = unquote(urlparse(url).path).rsplit("/", 1)[-1]
    for chapter in book.chapters:
        for needle in (url, name):
            if needle and (line := chapter.source.line_of(needle)) is not None:
                return chapter.source.path, line
    return None


def _build_edition(
    book: Book,
    variant: Variant,
    html: str,
    target: Path,
    allowed: tuple[Path, ...],
    resources: Resources,
    strict: bool,
    profile: OutputProfile,
    images: dict[str, Prepared],
    charts: dict[str, Path],
) -> EditionResult:
    project: Project = book.project
    target.parent.mkdir(parents=True, exist_ok=True)
    (target.with_suffix(".html")).write_text(html, encoding="utf-8")
    rendered = render_pdf(
        html,
        base=project.root,
        variant=variant,
        allowed=allowed,
        source=project.config_path,
        locate=lambda url: locate_url(book, url),
        prepared={
            **{f"illustration:{ident}": image.path for ident, image in images.items()},
            **{f"chart:{ident}": path for ident, path in charts.items()},
        },
    )
    data = finish(
        rendered.data, variant=variant, book=book, splits=rendered.splits, profile=profile
    )
    results = checks.check_edition(
        data, variant=variant, book=book, stylesheet=resources.styles / "book.css"
    )
    failed = [r for r in results if r.status == "fail" or (strict and r.status == "warn")]
    if strict and rendered.warnings:
        raise WorkbookError(
            f"{variant.name} edition: WeasyPrint warning in strict mode: {rendered.warnings[0]}",
            path=project.config_path,
            hint="fix the warning or build without --strict",
        )
    if failed:
        first = failed[0]
        raise WorkbookError(
            f"{variant.name} edition failed check '{first.name}': {first.measured}",
            path=project.config_path,
            hint=first.rule,
        )
    write_atomic(target, data)
    return EditionResult(variant, target, checks.page_count(data), rendered.warnings, results)
