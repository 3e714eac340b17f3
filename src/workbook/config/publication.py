"""Stage 1: the publication config (``publication.toml``) as typed, frozen objects.

Every key is declared; an unknown key, a missing required key or a bad value is a
:class:`~workbook.errors.WorkbookError` naming the file, the key (with its line)
and what is allowed.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from workbook.config.files import check_inside, read_bytes
from workbook.config.values import isbn13_problem, parse_length, parse_size
from workbook.errors import WorkbookError

CONFIG_NAME = "publication.toml"
CONFIG_LIMIT = 1024 * 1024  # bytes: a publication.toml is a page of text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


NonEmpty = Annotated[str, Field(min_length=1)]


class Binding(StrEnum):
    """How the printed book is bound; decides the default page multiple."""

    SADDLE_STITCH = "saddle-stitch"
    PERFECT_BOUND = "perfect-bound"


class Isbn(_Strict):
    """ISBNs per edition: the printed book, the PDF and the EPUB have different numbers.

    The EPUB may go without one (its identifier is then derived from the slug).
    """

    print: NonEmpty
    pdf: NonEmpty
    epub: str = ""

    @field_validator("print", "pdf", "epub")
    @classmethod
    def _check(cls, value: str) -> str:
        if problem := isbn13_problem(value):
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _distinct(self) -> Isbn:
        numbers = [n.replace("-", "") for n in (self.print, self.pdf, self.epub) if n]
        if len(set(numbers)) < len(numbers):
            raise ValueError("the print, PDF and EPUB editions need different ISBNs")
        return self


class Margins(_Strict):
    """Page margins in mm; inner is the binding side."""

    top: float = 20.0
    bottom: float = 24.0
    inner: float = 22.0
    outer: float = 17.0

    @field_validator("top", "bottom", "inner", "outer", mode="before")
    @classmethod
    def _length(cls, value: object) -> float:
        mm = parse_length(value)
        if not 5 <= mm <= 60:
            raise ValueError(f"{mm:g} mm is outside the allowed 5-60 mm")
        return mm


class PageFormat(_Strict):
    """Trim size, bleed, binding and margins of the printed book."""

    trim: tuple[float, float] = (170.0, 240.0)
    bleed: float = 3.0
    binding: Binding = Binding.PERFECT_BOUND
    page_multiple: int | None = None
    margins: Margins = Margins()

    @field_validator("trim", mode="before")
    @classmethod
    def _size(cls, value: object) -> tuple[float, float]:
        width, height = parse_size(value)
        if not (70 <= width <= 420 and 70 <= height <= 420):
            raise ValueError(f"{width:g} x {height:g} mm is outside 70-420 mm")
        return width, height

    @field_validator("bleed", mode="before")
    @classmethod
    def _bleed(cls, value: object) -> float:
        mm = parse_length(value)
        if not 0 <= mm <= 10:
            raise ValueError(f"{mm:g} mm is outside the allowed 0-10 mm")
        return mm

    @field_validator("page_multiple")
    @classmethod
    def _multiple(cls, value: int | None) -> int | None:
        if value is not None and value not in (1, 2, 4, 8, 16, 32):
            raise ValueError("must be one of 1, 2, 4, 8, 16, 32")
        return value

    @model_validator(mode="after")
    def _saddle(self) -> PageFormat:
        if self.binding is Binding.SADDLE_STITCH and self.page_multiple not in (None, 4, 8, 16, 32):
            raise ValueError("a saddle-stitched book needs a page multiple of 4, 8, 16 or 32")
        return self

    @property
    def multiple(self) -> int:
        """Pages the press edition is padded to: 4 for saddle stitch, 2 for perfect binding."""
        if self.page_multiple is not None:
            return self.page_multiple
        return 4 if self.binding is Binding.SADDLE_STITCH else 2


class Publication(_Strict):
    """Bibliographic facts shown on the title page and colophon and in PDF metadata."""

    title: NonEmpty
    subtitle: str = ""
    authors: list[NonEmpty] = Field(min_length=1)
    illustrator: str = ""
    publisher: NonEmpty
    year: int = Field(ge=1900, le=2100)
    date: datetime.date | None = None  # publication day; PDF dates (default: 1 January)
    edition: NonEmpty = "1. painos"
    language: str = Field(default="fi", pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    printer: str = ""
    keywords: list[NonEmpty] = []
    description: str = ""

    @property
    def issued(self) -> str:
        """ISO 8601 timestamp of publication, written as the PDFs' creation date.

        A fixed date, not the build time, keeps the output reproducible.
        """
        day = self.date or datetime.date(self.year, 1, 1)
        return f"{day.isoformat()}T00:00:00+00:00"


class Content(_Strict):
    """Where chapters are and in which order; omitted order means file-name order."""

    chapters_dir: NonEmpty = "chapters"
    chapters: list[NonEmpty] | None = None
    toc_depth: int = Field(default=2, ge=1, le=3)  # 1: chapters, 2: and ## sections, 3: ###


class RenderingIntent(StrEnum):
    """ICC rendering intent for RGB -> CMYK conversion of images."""

    PERCEPTUAL = "perceptual"
    RELATIVE = "relative-colorimetric"


class Colour(_Strict):
    """Colour management of the press edition (PDF/X-4 output intent)."""

    # Path relative to publication.toml; empty: the bundled default profile.
    output_profile: str = ""
    # OutputConditionIdentifier, e.g. "FOGRA39"; empty: the profile's description.
    output_condition: str = ""
    rendering_intent: RenderingIntent = RenderingIntent.PERCEPTUAL
    max_ink: int = Field(default=300, ge=200, le=400)  # total area coverage, %


class Images(_Strict):
    """Where the illustrations are and the resolution rules for each edition."""

    # Illustration manifest, relative to publication.toml; empty: no illustrations.
    manifest: str = ""
    press_min_ppi: int = Field(default=300, ge=150, le=1200)
    press_max_ppi: int = Field(default=450, ge=300, le=2400)  # downsampled above this
    line_art_min_ppi: int = Field(default=600, ge=300, le=2400)  # raster line art
    screen_ppi: int = Field(default=175, ge=96, le=300)
    press_jpeg_quality: int = Field(default=92, ge=60, le=100)
    screen_jpeg_quality: int = Field(default=85, ge=60, le=100)
    max_pixels: int = Field(default=60_000_000, ge=1_000_000, le=400_000_000)

    @model_validator(mode="after")
    def _order(self) -> Images:
        if self.press_max_ppi < self.press_min_ppi:
            raise ValueError("press_max_ppi must not be below press_min_ppi")
        return self


class Data(_Strict):
    """Where the survey data sets are described."""

    # Data manifest, relative to publication.toml; empty: no survey data.
    manifest: str = ""


class Preflight(_Strict):
    """Limits ``invoke check`` judges the finished PDFs by."""

    safety_margin: float = 3.0  # mm: no text closer to the trim
    screen_max_size: float = Field(default=5.0, gt=0, le=500)  # MB: e-version file size
    # Page make-up (workbook.preflight.makeup); a breach is a warning.
    page_max_empty: float = Field(default=25.0, ge=0, le=100)  # % of the type area
    hyphen_max_share: float = Field(default=15.0, ge=0, le=100)  # % of body lines
    hyphen_max_run: int = Field(default=2, ge=1, le=10)  # hyphenated lines in a row
    word_space_max: float = Field(default=1.5, ge=1.0, le=4.0)  # x the font's own space
    word_space_min: float = Field(default=0.7, ge=0.3, le=1.0)  # x the font's own space
    exercise_max_gap: float = 15.0  # mm: empty height inside an exercise box
    # check name -> why the publication accepts its warning (--strict then passes it)
    accept: dict[str, str] = Field(default_factory=dict)

    @field_validator("safety_margin", mode="before")
    @classmethod
    def _margin(cls, value: object) -> float:
        mm = parse_length(value)
        if not 0 <= mm <= 15:
            raise ValueError(f"{mm:g} mm is outside the allowed 0-15 mm")
        return mm

    @field_validator("accept")
    @classmethod
    def _accept(cls, value: dict[str, str]) -> dict[str, str]:
        for name, reason in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
                raise ValueError(f"{name!r} is not a check's name (as the report shows it)")
            if not reason.strip():
                raise ValueError(f"give the reason the warning of {name!r} is accepted")
        return {name: " ".join(reason.split()) for name, reason in value.items()}

    @field_validator("exercise_max_gap", mode="before")
    @classmethod
    def _gap(cls, value: object) -> float:
        mm = parse_length(value)
        if not 5 <= mm <= 100:
            raise ValueError(f"{mm:g} mm is outside the allowed 5-100 mm")
        return mm


class Typography(_Strict):
    """How running text is hyphenated (workbook.markup.hyphenation)."""

    hyphen_min_left: int = Field(default=2, ge=2, le=5)  # letters before a break
    hyphen_min_right: int = Field(default=2, ge=2, le=5)  # letters carried to the next line
    hyphen_min_word: int = Field(default=6, ge=4, le=20)  # shorter words are never broken


class Limits(_Strict):
    """Sane sizes, checked before rendering: a runaway file is one line, not an hour."""

    chapter_size: int = Field(default=1024, ge=16, le=65536)  # KiB per chapter file
    nesting: int = Field(default=8, ge=2, le=30)  # lists, quotes and raw HTML inside each other
    pages: int = Field(default=600, ge=4, le=5000)  # pages of an edition
    errors: int = Field(default=20, ge=1, le=1000)  # errors shown by one run


class Paths(_Strict):
    """Folders outside the publication folder that the config and manifests may name."""

    # Relative to publication.toml (or absolute); each must be an existing folder.
    allow: list[NonEmpty] = []


class PrintJob(_Strict):
    """The print job: paper, spine allowance, marks, quantity and delivery (``[print]``)."""

    paper: str = ""  # the paper's name for the spec sheet, e.g. "Munken Print 120 g/m2"
    caliper: float | None = Field(default=None, ge=30, le=1000)  # µm per leaf (two pages)
    pages_per_inch: int | None = Field(default=None, ge=100, le=2000)  # instead of caliper
    cover_allowance: float = 0.5  # mm the cover board adds to the spine
    marks: bool = False  # crop marks in a slug outside the bleed
    quantity: int | None = Field(default=None, ge=1)
    delivery: datetime.date | None = None

    @field_validator("cover_allowance", mode="before")
    @classmethod
    def _allowance(cls, value: object) -> float:
        mm = parse_length(value)
        if not 0 <= mm <= 5:
            raise ValueError(f"{mm:g} mm is outside the allowed 0-5 mm")
        return mm

    @model_validator(mode="after")
    def _one_paper_measure(self) -> PrintJob:
        if self.caliper is not None and self.pages_per_inch is not None:
            raise ValueError("give caliper or pages_per_inch, not both")
        return self


class Cover(_Strict):
    """The cover spread (``[cover]``): its illustration, blurb, spine and barcode."""

    illustration: str = ""  # an id of the illustration manifest; empty: type only
    blurb: NonEmpty = "takakansi.md"  # Markdown, relative to publication.toml
    spine_title: str = ""  # empty: the publication's title
    spine_text_min: float = 6.0  # mm: a narrower spine carries no text
    spine_margin: float = 1.0  # mm: spine text from each fold
    safe_distance: float = 5.0  # mm: front and back text from trim and folds
    barcode_scale: float = Field(default=1.0, ge=0.8, le=2.0)  # of the EAN-13 nominal size

    @field_validator("spine_text_min", "spine_margin", "safe_distance", mode="before")
    @classmethod
    def _length(cls, value: object, info: ValidationInfo) -> float:
        mm = parse_length(value)
        low, high = {"spine_text_min": (0, 50), "spine_margin": (0, 5)}.get(
            info.field_name or "", (2, 20)
        )
        if not low <= mm <= high:
            raise ValueError(f"{mm:g} mm is outside the allowed {low}-{high} mm")
        return mm


class Web(_Strict):
    """The web edition and its download page (``build/web/``)."""

    list_press: bool = False  # also offer the press PDF on the download page


class Accessibility(_Strict):
    """The accessibility statement (saavutettavuusseloste) on the download page."""

    # Where readers send feedback: a web form's URL or a role mailbox, never a person.
    contact: str = ""
    contact_name: str = ""  # who answers, e.g. the publisher's service desk
    statement_date: datetime.date | None = None  # default: the publication day
    authority: NonEmpty = "Liikenne- ja viestintävirasto Traficom, saavutettavuusvalvonta"
    authority_url: NonEmpty = "https://www.saavutettavuusvaatimukset.fi/"

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str) -> str:
        if value and not re.match(r"^(https://\S+|[^@\s]+@[^@\s]+\.[a-z]{2,})$", value):
            raise ValueError(f"{value!r} is neither an https:// address nor an e-mail address")
        return value


class Config(_Strict):
    """The whole ``publication.toml``, validated."""

    publication: Publication
    isbn: Isbn
    format: PageFormat = PageFormat()
    content: Content = Content()
    colour: Colour = Colour()
    images: Images = Images()
    data: Data = Data()
    typography: Typography = Typography()
    preflight: Preflight = Preflight()
    limits: Limits = Limits()
    paths: Paths = Paths()
    print: PrintJob = PrintJob()
    cover: Cover | None = None  # no [cover] table: no cover and no spec sheet
    web: Web = Web()
    accessibility: Accessibility = Accessibility()


class Project(BaseModel):
    """A loaded config with the paths it was read from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    config: Config
    config_path: Path
    root: Path

    @property
    def chapters_dir(self) -> Path:
        """Folder holding the chapter Markdown files."""
        return self.root / self.config.content.chapters_dir

    @property
    def allowed(self) -> tuple[Path, ...]:
        """The folders files may come from: the publication folder and ``[paths] allow``."""
        extra = (Path(self.root, name).resolve() for name in self.config.paths.allow)
        return (self.root.resolve(), *extra)

    @property
    def data_manifest_path(self) -> Path | None:
        """The survey data manifest, or None when the book has no survey data."""
        name = self.config.data.manifest
        return (self.root / name).resolve() if name else None

    @property
    def blurb_path(self) -> Path | None:
        """The cover's back-cover text (Markdown), or None when there is no cover."""
        cover = self.config.cover
        return (self.root / cover.blurb).resolve() if cover else None

    @property
    def manifest_path(self) -> Path | None:
        """The illustration manifest, or None when the book has no illustrations."""
        name = self.config.images.manifest
        return (self.root / name).resolve() if name else None


def load_config(path: Path) -> Project:
    """Read and validate a publication config file."""
    path = Path(path)
    if path.is_dir():
        path = path / CONFIG_NAME
    try:
        raw = read_bytes(path, what="config file", limit=CONFIG_LIMIT)
    except FileNotFoundError:
        raise WorkbookError(
            "config file not found", path=path, hint=f"create {CONFIG_NAME} or pass --config"
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkbookError(
            "config file is not UTF-8", path=path, hint="save it as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise WorkbookError(
            f"not valid TOML: {str(exc).split(' (at')[0]}",
            path=path,
            line=line,
            hint="check quotes, brackets and '=' on that line",
        ) from None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise _config_error(exc, path, text) from None
    project = Project(config=config, config_path=path.resolve(), root=path.resolve().parent)
    check_paths(project, text)
    return project


def check_paths(project: Project, text: str) -> None:
    """Every path the config names leads into the publication folder or an allowed one."""
    config, root, where = project.config, project.root, project.config_path
    for name in config.paths.allow:
        folder = Path(root, name)
        if not folder.is_dir():
            raise WorkbookError(
                f"[paths] allow names '{name}', which is no folder",
                path=where,
                line=toml_key_line(text, ["paths", "allow"]),
                hint="list existing folders, relative to publication.toml",
            )
    roots = project.allowed
    named: list[tuple[list[str], str]] = [
        (["content", "chapters_dir"], config.content.chapters_dir),
        (["images", "manifest"], config.images.manifest),
        (["data", "manifest"], config.data.manifest),
        (["colour", "output_profile"], config.colour.output_profile),
        (["cover", "blurb"], config.cover.blurb if config.cover is not None else ""),
    ]
    named += [
        (["content", "chapters"], f"{config.content.chapters_dir}/{chapter}")
        for chapter in config.content.chapters or ()
    ]
    for key, value in named:
        if value:
            check_inside(
                Path(root, value),
                roots,
                what=f"'{'.'.join(key)}' ({value})",
                where=where,
                line=toml_key_line(text, key),
            )


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match[1]) if match else None


def _config_error(exc: ValidationError, path: Path, text: str) -> WorkbookError:
    """Turn the first pydantic error into one readable line."""
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
    key = ".".join(loc)
    line = toml_key_line(text, loc)
    kind = error["type"]
    model = _model_at(loc[:-1])
    allowed = ", ".join(model.model_fields) if model else ""
    if kind == "extra_forbidden":
        return WorkbookError(
            f"unknown key '{key}'", path=path, line=line, hint=f"allowed keys here: {allowed}"
        )
    if kind == "missing":
        return WorkbookError(
            f"missing required key '{key}'",
            path=path,
            line=line,
            hint=f"add it under [{'.'.join(loc[:-1]) or 'top level'}]",
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    hint = _allowed_for(loc)
    return WorkbookError(f"bad value for '{key}': {message}", path=path, line=line, hint=hint)


def _model_at(loc: list[str]) -> type[BaseModel] | None:
    model: Any = Config
    for part in loc:
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return None
        model = field.annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _allowed_for(loc: list[str]) -> str | None:
    key = loc[-1] if loc else ""
    whole = {
        "print": "give the paper's caliper (µm) or its pages_per_inch, not both",
        "print.caliper": "the paper's thickness per leaf in µm, from its data sheet (e.g. 100)",
        "print.pages_per_inch": "pages per inch from the paper's data sheet (e.g. 400)",
        "cover.barcode_scale": "0.8-2.0 times the nominal EAN-13 size (37.29 x 25.93 mm)",
    }
    if ".".join(loc) in whole:
        return whole[".".join(loc)]
    return {
        "binding": "allowed: " + ", ".join(b.value for b in Binding),
        "rendering_intent": "allowed: " + ", ".join(i.value for i in RenderingIntent),
        "trim": 'e.g. "170 x 240 mm", or A4, A5, B5',
        "bleed": 'e.g. "3mm"',
        "language": 'a language code such as "fi" or "sv"',
        "slug": 'lowercase letters, digits and hyphens, e.g. "asiakaspalvelu-2019"',
        "print": "a 13-digit ISBN such as 978-952-00-0000-?",
        "pdf": "a 13-digit ISBN such as 978-952-00-0000-?",
        "epub": "a 13-digit ISBN such as 978-952-00-0000-?, or leave the key out",
        "contact": 'e.g. "https://palaute.example.fi/saavutettavuus" or "palaute@example.fi"',
    }.get(key)


def toml_key_line(text: str, loc: list[str]) -> int | None:
    """Find the line of ``key = ...`` inside its ``[table]`` (best effort; TOML keeps no lines)."""
    if not loc:
        return None
    *tables, key = loc
    table = ".".join(tables)
    current = ""
    table_line = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if header := re.match(r"^\[\s*([^\]]+?)\s*\]$", line):
            current = header[1]
            if current == ".".join(loc):
                return number
            if current == table:
                table_line = number
            continue
        if current == table and re.match(rf"^{re.escape(key)}\s*=", line):
            return number
    return table_line


_PLACEHOLDER_RE = re.compile(
    r"täydennetään|myöhemmin|\btbd\b|\btodo\b|\bxxx+\b|\?\?|lorem ipsum|^[(\[<].*[)\]>]$",
    re.IGNORECASE,
)


def check_press_config(project: Project) -> None:
    """Raise when the press edition cannot go to print: the colophon must name the
    print house (``publication.printer``), not leave it empty or a placeholder."""
    printer = project.config.publication.printer
    if printer and not _PLACEHOLDER_RE.search(printer):
        return
    text = project.config_path.read_text(encoding="utf-8")
    line = toml_key_line(text, ["publication", "printer"])
    what = f"is a placeholder ({printer!r})" if printer else "is empty"
    raise WorkbookError(
        f"press edition: 'publication.printer' {what}; the colophon must name the print house",
        path=project.config_path,
        line=line,
        hint='set printer = "<print house>, <town>" under [publication] once it is chosen; '
        "until then build the e-version alone (invoke build -e screen)",
    )
