"""Stage 6: render one edition's HTML to PDF bytes with WeasyPrint, sandboxed.

WeasyPrint's log messages are collected: errors fail the build, warnings are
returned to the caller (and fail it in strict mode). Writing to disk is atomic.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from weasyprint import HTML

from .errors import WorkbookError
from .sandbox import SandboxFetcher, SandboxViolation, find_attachment
from .variants import Variant

Locator = Callable[[str], tuple[Path, int | None] | None]
_URL_RE = re.compile(r"(?:file|https?|data):[^\s'\"]+")


@dataclass
class Rendered:
    """A rendered edition before post-processing."""

    data: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _collect_logs() -> Iterator[_Collector]:
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.addHandler(collector)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate


def render_pdf(
    html: str,
    *,
    base: Path,
    variant: Variant,
    allowed: Sequence[Path],
    source: Path,
    locate: Locator = lambda _: None,
) -> Rendered:
    """Render *html* to PDF bytes for *variant*; only files under *allowed* are read.

    *locate* maps a URL named in an error to the file and line that wrote it;
    errors name *source* when it finds nothing.
    """
    if snippet := find_attachment(html):
        raise WorkbookError(
            f"'{snippet}' would embed a file in the PDF",
            path=source,
            hint="attachments are not allowed; link to the file instead",
        )
    fetcher = SandboxFetcher(allowed)
    options = {"pdf_variant": variant.pdf_variant} if variant.pdf_variant else {}
    with _collect_logs() as logs:
        try:
            document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).render(
                **options
            )
            data = document.write_pdf(**options)
        except SandboxViolation as exc:
            path, line = locate(exc.url) or (source, None)
            raise WorkbookError(
                f"refused to read {exc.url} ({exc.reason})",
                path=path,
                line=line,
                hint="images and styles must be files inside the publication folder",
            ) from None
    errors = [r.getMessage() for r in logs.records if r.levelno >= logging.ERROR]
    if errors:
        urls = _URL_RE.findall(errors[0])
        path, line = next(filter(None, map(locate, urls)), None) or (source, None)
        raise WorkbookError(
            f"WeasyPrint reported an error in the {variant.name} edition: {errors[0]}",
            path=path,
            line=line,
            hint="fix the content or style it names",
        )
    warnings = [r.getMessage() for r in logs.records if r.levelno < logging.ERROR]
    return Rendered(data=data, pages=len(document.pages), warnings=warnings)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to *path* via a temporary file and a rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are shared files
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
