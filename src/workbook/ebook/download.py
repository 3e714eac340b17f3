"""The download page (``build/web/index.html``) and its accessibility statement.

The page lists what staff can download (the fillable e-PDF, the EPUB, the
workshop handouts when they were built from the current sources, and the
press PDF when ``web.list_press`` asks for it), each with its format, size,
page count and a one-line accessibility summary, and links to the web edition.

The accessibility statement (saavutettavuusseloste, Act 306/2019) is built
from the preflight's results: what the checks found conformant, what they
found wanting, and the known limits of each file; then feedback (the
``accessibility.contact`` of the config) and the supervisory authority. Before
the checks have run on these very files the statement says so.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from pathlib import Path

from markupsafe import Markup

from workbook.config.publication import Project
from workbook.ebook.web import page
from workbook.html.book import Resources, environment

DOWNLOADS_DIR = "lataa"

# The preflight's checks of the e-PDF that bear on accessibility, in Finnish.
PDF_CHECKS = {
    "pdfua-id": "tiedosto on merkitty PDF/UA-1-standardin mukaiseksi",
    "tagged": "sisällöllä on merkitty rakenne (tagged PDF)",
    "language": "tekstin kieli on merkitty",
    "title": "asiakirjan otsikko näkyy ikkunan otsikkona",
    "artifacts": "ylä- ja alatunnisteet ja koristeet on merkitty sisällön ulkopuolisiksi",
    "figure-alt": "kaikilla kuvilla ja kuvioilla on tekstivastine",
    "heading-levels": "otsikkotasot etenevät järjestyksessä",
    "table-headers": "taulukoissa on otsikkosolut",
    "link-descriptions": "linkeillä on kuvaukset",
    "outline": "kirjanmerkit vastaavat lukuja",
    "form-fields": "lomakekentillä on nimet ja paikka rakenteessa",
    "contents-pages": "sisällysluettelon sivunumerot ovat oikein",
    "page-references": "sivuviittaukset osoittavat oikeille sivuille",
    "fonts": "fontit on upotettu",
}
EBOOK_CHECKS = {
    "epubcheck": "EPUB-tiedosto on EPUB 3 -määrityksen mukainen (EPUBCheck)",
    "ace": "EPUB-tiedoston saavutettavuus ja metatiedot on tarkistettu (DAISY Ace)",
    "web-axe": "verkkoversion sivut on tarkistettu WCAG 2.1 A- ja AA-tason "
    "automaattisilla testeillä ja 320 CSS-pikselin levyisessä näkymässä (axe-core)",
    "web-links": "verkkoversion linkit ja kuvat toimivat",
}
KNOWN_LIMITS = [
    "Kuvioiden tekstit ovat kapealla näytöllä pieniä, eivätkä ne suurene tekstikoon "
    "mukana. Kuvioiden luvut ovat myös taulukoina, ja jokaisella kuviolla on tekstivastine.",
    "Täytettävän PDF-tiedoston valintanappien valinta ei näy kaikissa PDF-lukuohjelmissa. "
    "Tehtävät ovat luettavina myös EPUB-tiedostossa ja verkkoversiossa.",
]
HANDOUT_LIMIT = (
    "Työpajamonisteet ovat tulostettavia A4-tiedostoja, joissa ei ole merkittyä rakennetta "
    "ruudunlukijoille. Samat tehtävät ovat saavutettavassa PDF-tiedostossa."
)
PRESS_LIMIT = (
    "Painotalon PDF-tiedosto on tarkoitettu painamiseen, eikä se ole saavutettava. "
    "Sama sisältö on saavutettavassa PDF-tiedostossa."
)


@dataclass(frozen=True)
class Download:
    """A file offered on the download page."""

    name: str  # in web/lataa/
    source: str  # the built file it is a copy of
    kind: str  # "screen", "epub", "handout", "handout-notes", "press"
    title: str
    format: str
    pages: str
    size: int
    summary: str

    @property
    def size_text(self) -> str:
        """The size as Finnish readers write it: "1,2 Mt", "840 kt"."""
        if self.size >= 1_000_000:
            return f"{self.size / 1_000_000:.1f} Mt".replace(".", ",")
        return f"{max(1, round(self.size / 1000))} kt"


_OFFERS = {
    "screen": (
        "Saavutettava PDF",
        "PDF/UA-1, täytettävä lomake",
        "Saavutettava PDF: merkitty rakenne, kuvailut ja kirjanmerkit; tehtävät täytettävinä "
        "lomakekenttinä.",
    ),
    "epub": (
        "EPUB-kirja",
        "EPUB 3, mukautuva",
        "EPUB Accessibility 1.1 ja WCAG 2.1 AA: teksti mukautuu näyttöön, kuvilla on "
        "tekstivastineet ja sivunumerot vastaavat painettua kirjaa.",
    ),
    "handout": (
        "Työpajamoniste",
        "PDF, A4, tulostettava",
        "Tulostettava moniste ilman merkittyä rakennetta; saavutettavat versiot ovat yllä.",
    ),
    "handout-notes": (
        "Työpajamoniste ohjaajalle",
        "PDF, A4, tulostettava",
        "Tulostettava moniste ohjaajan muistiinpanoineen, ilman merkittyä rakennetta.",
    ),
    "press": (
        "Painotalon PDF",
        "PDF/X-4, CMYK, leikkuuvarat",
        "Painamista varten; ei saavutettava.",
    ),
}


def offer(kind: str, path: Path, pages: int) -> Download:
    """The download of the built file *path* of *kind* with *pages* (printed) pages."""
    title, fmt, summary = _OFFERS[kind]
    count = f"vastaa {pages} painettua sivua" if kind == "epub" else f"{pages} sivua"
    return Download(path.name, str(path), kind, title, fmt, count, path.stat().st_size, summary)


def statement_lines(results: list[dict], downloads: list[Download]) -> dict:
    """What the statement says, from the preflight's results (``name``, ``status``,
    ``measured`` and ``scope``: ``screen``, ``epub`` or ``web``)."""
    good: list[str] = []
    wanting: list[dict] = []
    order = [*PDF_CHECKS, *EBOOK_CHECKS]
    ranked = sorted(results, key=lambda r: order.index(r["name"]) if r["name"] in order else 99)
    for result in ranked:
        scope = result.get("scope", "")
        text = EBOOK_CHECKS.get(result["name"]) if scope != "screen" else None
        text = text or (PDF_CHECKS.get(result["name"]) if scope == "screen" else None)
        if text is None:
            continue
        where = {"screen": "Saavutettava PDF", "epub": "EPUB", "web": "Verkkoversio"}.get(
            scope, scope
        )
        if result["status"] == "pass":
            good.append(f"{where}: {text}.")
        else:
            wanting.append({"where": where, "text": text, "measured": result["measured"]})
    limits = list(KNOWN_LIMITS)
    kinds = {d.kind for d in downloads}
    if kinds & {"handout", "handout-notes"}:
        limits.append(HANDOUT_LIMIT)
    if "press" in kinds:
        limits.append(PRESS_LIMIT)
    return {"good": good, "wanting": wanting, "limits": limits}


def index_page(
    project: Project,
    resources: Resources,
    downloads: list[Download],
    results: list[dict] | None,
) -> bytes:
    """The download page with the accessibility statement (*results* None: not checked yet)."""
    config = project.config
    pub, access = config.publication, config.accessibility
    day = access.statement_date or pub.date or datetime.date(pub.year, 1, 1)
    lines = statement_lines(results, downloads) if results is not None else None
    body = (
        environment(resources)
        .get_template("ebook/web-index.html.j2")
        .render(
            pub=pub,
            access=access,
            downloads=downloads,
            folder=DOWNLOADS_DIR,
            statement=lines,
            status="osittain" if lines and (lines["wanting"] or lines["limits"]) else "kokonaan",
            date=f"{day.day}.{day.month}.{day.year}",
        )
    )
    return page(
        project,
        resources,
        kind="index",
        title=f"Lataa julkaisu – {pub.title}",
        body=Markup(body),
    )


def as_data(downloads: list[Download]) -> list[dict]:
    """The downloads as JSON data (kept in ``build/.state/`` for the statement)."""
    return [asdict(d) for d in downloads]


def from_data(data: list[dict]) -> list[Download]:
    """The downloads back from :func:`as_data`."""
    return [Download(**entry) for entry in data]
