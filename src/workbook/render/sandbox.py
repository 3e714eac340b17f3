"""A URL fetcher that only reads the publication's own files and the pipeline's styles.

WeasyPrint's default fetcher reads any local file and follows http(s). Here a
request outside the allowed folders, or over any protocol but ``file:`` and
``data:``, stops the render with :class:`SandboxViolation`.

``illustration:<id>`` and ``chart:<id>`` URLs are answered with the edition's
prepared file. The URL, not the file's location, names the image inside the PDF
(WeasyPrint hashes it), so the output does not depend on where build/ is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import FatalURLFetchingError, URLFetcher

PREPARED_SCHEMES = ("illustration", "chart")
_ATTACHMENT_RE = re.compile(r"""\brel\s*=\s*["']?[^"'>]*\battachment\b""", re.IGNORECASE)


class SandboxViolation(FatalURLFetchingError):
    """Raised for a URL the render may not read; stops WeasyPrint at once."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.reason = reason


class SandboxFetcher(URLFetcher):
    """Fetch ``file:`` URLs below the allowed folders and ``data:`` URLs, nothing else."""

    def __init__(self, allowed: Sequence[Path], prepared: Mapping[str, Path] | None = None) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.allowed = tuple(Path(p).resolve() for p in allowed)
        self.prepared = dict(prepared or {})

    def fetch(self, url: str, headers: dict[str, str] | None = None):
        """Fetch *url* if it is allowed, else raise :class:`SandboxViolation`."""
        parsed = urlparse(url)
        scheme = parsed.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme in PREPARED_SCHEMES:
            prepared = self.prepared.get(url)
            if prepared is None:
                raise SandboxViolation(url, "nothing was prepared under this name")
            return super().fetch(prepared.resolve().as_uri(), headers)
        if scheme != "file":
            raise SandboxViolation(url, "network access is not allowed while rendering")
        path = Path(unquote(parsed.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed):
            raise SandboxViolation(url, "file outside the publication folder")
        return super().fetch(url, headers)


def find_attachment(html: str) -> str | None:
    """Return the first ``rel=attachment`` snippet in *html* (such links embed files)."""
    match = _ATTACHMENT_RE.search(html)
    return match[0] if match else None
