"""Preflight core: which checks each edition gets, run on PDFs read back from build/.

Nothing here uses the book model: only the PDF and the configured page,
limits and language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from workbook.config.editions import DEFAULT_EDITIONS, VARIANTS, Variant
from workbook.config.publication import Project, load_config
from workbook.finish.marks import SLUG_MM
from workbook.html.book import STYLES_DIR
from workbook.html.colour import BUNDLED_PROFILE
from workbook.preflight import access, checks, forms, inks, layout, makeup, refs
from workbook.preflight.checks import CheckResult
from workbook.preflight.facts import PdfFacts, cache_paths, read_facts
from workbook.preflight.pdfcontent import painted
from workbook.preflight.textlines import read_pages


@dataclass
class EditionReport:
    """The checks of one edition."""

    variant: Variant
    path: Path
    facts: PdfFacts
    results: list[CheckResult] = field(default_factory=list)
    thumbnails: list[str] = field(default_factory=list)  # page images in the report folder


@dataclass
class Preflight:
    """All checks of a publication's built editions."""

    project: Project
    editions: list[EditionReport]
    both: list[CheckResult] = field(default_factory=list)
    ebook: list[CheckResult] = field(default_factory=list)  # the EPUB's and the web's

    def all_results(self) -> list[CheckResult]:
        """Every result, edition by edition, then the comparisons, then the e-book's."""
        return [r for e in self.editions for r in e.results] + self.both + self.ebook

    def failed(self, strict: bool = False) -> list[CheckResult]:
        """Results that fail (with *strict*, warnings not accepted too)."""
        return [r for r in self.all_results() if r.counts(strict)]


def check_edition(
    facts: PdfFacts,
    variant: Variant,
    project: Project,
    validation: access.Validation | None = None,
    lines_cache: Path | None = None,
    inks_cache: Path | None = None,
) -> list[CheckResult]:
    """Every check that applies to *variant*, on its PDF (*validation*: the
    independent validator, when already started on it; *lines_cache* and
    *inks_cache*: where the pages' lines of type and runs of text are kept
    between builds)."""
    config = project.config
    fmt = config.format
    data = facts.data
    pdf = painted(data).pdf  # the file as the facts read it (pikepdf, kept open)
    if variant.kind == "handout":
        return checks.accept(
            [
                checks.check_fonts(pdf, STYLES_DIR / "book.css"),
                layout.check_page_size(facts, variant.page_format(fmt)),
                forms.check_no_form_fields(data),
            ],
            config.preflight.accept,
        )
    # The independent validator runs in a process of its own while the others do.
    if variant.tagged and validation is None:
        validation = access.Validation(data)
    try:
        results = _edition_checks(facts, variant, project, pdf, validation, lines_cache, inks_cache)
        return checks.accept(results, config.preflight.accept)
    except BaseException:
        if validation is not None:
            validation.cancel()
        raise


def _edition_checks(
    facts: PdfFacts,
    variant: Variant,
    project: Project,
    pdf,
    validation: access.Validation | None,
    lines_cache: Path | None = None,
    inks_cache: Path | None = None,
) -> list[CheckResult]:
    """:func:`check_edition` for a book edition."""
    config = project.config
    fmt = config.format
    data = facts.data
    results: list[CheckResult] = []
    if variant.bleed or variant.pad_to_binding:
        # The print house's page geometry, read by a second, independent parser
        # (imported here: only the press edition's process needs it).
        from pypdf import PdfReader

        reader = PdfReader(BytesIO(data))
        if variant.bleed:
            slug = SLUG_MM if config.print.marks else 0.0
            results.append(checks.check_boxes(reader, fmt, slug))
        if variant.pad_to_binding:
            results.append(checks.check_page_multiple(reader, fmt))
    results += [
        layout.check_blank_pages(facts, fmt, allow_padding=variant.pad_to_binding),
        layout.check_chapter_openers(facts),
        layout.check_running_heads(facts, fmt),
        layout.check_folios(facts, fmt),
        checks.check_fonts(pdf, STYLES_DIR / "book.css"),
        *layout.check_type_area(facts, fmt, config.preflight.safety_margin),
        refs.check_contents(facts),
        *makeup.check_makeup(
            facts, read_pages(pdf, facts.page_digests, lines_cache), fmt, config.preflight
        ),
    ]
    images = config.images
    if variant.colour_space == "cmyk":
        results += [
            checks.check_image_resolution(data, minimum=images.press_min_ppi, maximum=None),
            checks.check_image_aspect(data),
            layout.check_image_bleed(facts),
            checks.check_no_rgb(data),
            checks.check_ink_coverage(data, config.colour.max_ink),
            forms.check_no_form_fields(data),
        ]
        if variant.pdf_variant and variant.pdf_variant.startswith("pdf/x"):
            results.append(checks.check_output_intent(data))
            results.append(inks.check_output_profile(data, BUNDLED_PROFILE))
        runs = inks.text_runs(data, facts.page_digests, inks_cache)
        results += [inks.check_overprint(runs), inks.check_small_text(runs)]
        if variant.isbn_kind == "print":
            results.append(inks.check_isbn_unique(project))
    else:
        limit = images.screen_ppi * 1.15
        results.append(checks.check_image_resolution(data, minimum=None, maximum=limit))
        results.append(checks.check_image_aspect(data))
        results.append(refs.check_file_size(facts, config.preflight.screen_max_size))
    if variant.tagged:
        results += checks.check_accessibility(data, config.publication.language)
        results.append(refs.check_outline(facts))
        results += refs.check_structure(facts)
        results.append(access.check_nested_headings(data))
        results += access.check_link_tags(data)
        results.append(access.check_id_tree(data))
        results.append(access.check_whole_words(facts))
        results += forms.check_form_fields(data)
        results.append(forms.check_appearances(data))
        # The second opinion: an independent validator on the whole file.
        results.append(access.check_pdfua_validator(data, validation))
    return results


def check_file(
    path: Path,
    variant: Variant,
    project: Project,
    thumbs: Path | None = None,
    caches: tuple[Path, Path, Path, Path] | None = None,
    *,
    place: bool = True,
) -> EditionReport:
    """Read one edition's PDF back and run its checks.

    With *thumbs* (the report folder) its page images are drawn beside the
    checks and, with *place*, copied into the report as ``<edition>-NN.png``
    (else only kept by page digest, for :func:`.pageimages.place_thumbnails`
    once the file has passed). *caches* (:func:`~.facts.cache_paths`) keep
    what was read between builds.
    """
    # Started first: the validator judges the file while the rest reads it.
    tagged = variant.tagged and path.is_file()  # (read_facts names a missing file)
    validation = access.Validation(path.read_bytes()) if tagged else None
    try:
        facts = read_facts(path, *(caches or ())[:2])
        drawing = None
        if thumbs is not None:
            from workbook.preflight.pageimages import PageDrawing

            drawing = PageDrawing(path, thumbs, variant.name, facts.page_digests)
        try:
            lines, runs = caches[2:4] if caches else (None, None)
            checked = check_edition(facts, variant, project, validation, lines, runs)
            report = EditionReport(variant, path, facts, checked)
        finally:
            if drawing is not None:
                drawing.finish()  # raises a pdftoppm failure here, after the checks
    except BaseException:
        if validation is not None:
            validation.cancel()
        raise
    if thumbs is not None and place:
        from workbook.preflight.pageimages import place_thumbnails

        report.thumbnails = place_thumbnails(thumbs, variant.name, facts.page_digests)
    return report


def run_preflight(
    config_path: Path,
    out_dir: Path = Path("build"),
    editions: list[str] | None = None,
    done: dict[str, EditionReport] | None = None,
) -> Preflight:
    """Check the built PDFs of the publication at *config_path* found in *out_dir*.

    *done* holds edition reports already made (by the build, right after writing).
    """
    project = load_config(config_path)
    slug = project.config.publication.slug
    names = editions or list(DEFAULT_EDITIONS)
    chosen = [VARIANTS[name] for name in names if name != "cover"]
    reports = []
    for variant in chosen:
        path = out_dir / variant.filename(slug)
        ready = (done or {}).get(variant.name)
        if ready is None:
            ready = check_file(path, variant, project, caches=cache_paths(out_dir, path.name))
        reports.append(ready)
    if "cover" in names and project.config.cover is not None:
        ready = (done or {}).get("cover")
        if ready is None:
            from workbook.preflight.cover import check_cover_file

            path = out_dir / f"{slug}-cover.pdf"
            press = out_dir / VARIANTS["press"].filename(slug)
            caches = cache_paths(out_dir, path.name)
            ready = check_cover_file(path, project, press, caches=caches)
        reports.append(ready)
    preflight = Preflight(project, reports)
    by_name = {r.variant.name: r.facts for r in reports}
    if "press" in by_name and "screen" in by_name:
        press, screen = by_name["press"], by_name["screen"]
        preflight.both = [
            refs.check_same_pages(press, screen),
            refs.check_same_text(press, screen),
            refs.check_page_references(screen),
        ]
    elif "screen" in by_name:
        preflight.both = [refs.check_page_references(by_name["screen"])]
    preflight.both = checks.accept(preflight.both, project.config.preflight.accept)
    return preflight
