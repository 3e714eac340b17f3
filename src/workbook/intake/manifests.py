"""Manifests: TOML files with one table per item, named by the item's id.

The illustration manifest and the survey data manifest share this shape; this
module reads one, checks the ids and turns a pydantic error in an entry into
one line naming the manifest's line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from workbook.config.files import read_bytes
from workbook.config.publication import toml_key_line
from workbook.errors import WorkbookError

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Registry(Generic[T]):
    """Validated items of a manifest, by id (*path* is None when there is no manifest)."""

    path: Path | None
    items: dict[str, T]

    def __contains__(self, key: str) -> bool:
        return key in self.items

    def __getitem__(self, key: str) -> T:
        return self.items[key]


@dataclass(frozen=True)
class RawManifest:
    """A manifest's text (for line numbers) and its tables."""

    path: Path
    text: str
    tables: dict[str, dict]

    def line(self, *keys: str) -> int | None:
        """The line of ``[id]`` or of a key inside it."""
        return toml_key_line(self.text, list(keys))

    def entries(self, noun: str) -> Iterator[tuple[str, dict, int | None]]:
        """(id, table, line) of each item (a *noun*), after checking the ids."""
        for ident, raw in self.tables.items():
            line = self.line(ident)
            if not isinstance(raw, dict):
                raise WorkbookError(
                    f"'{ident}' is not an {noun} table"
                    if noun[0] in "aeiouy"
                    else f"'{ident}' is not a {noun} table",
                    path=self.path,
                    line=line,
                    hint=f"write [{ident}] on a line of its own, then its keys",
                )
            if not ID_RE.match(ident):
                raise WorkbookError(
                    f"{noun} id '{ident}' is not allowed",
                    path=self.path,
                    line=line,
                    hint="ids are lowercase letters, digits and hyphens, e.g. [palvelutiski]",
                )
            yield ident, raw, line


MANIFEST_LIMIT = 4 * 1024 * 1024  # bytes: a manifest is a list of entries


def read_manifest(
    path: Path, what: str, setting: str, shape: str, roots: tuple[Path, ...] = ()
) -> RawManifest:
    """Read the manifest at *path*: *what* it is, the *setting* naming it, its *shape*
    (inside *roots*, the publication's folders)."""
    try:
        text = read_bytes(path, what=what, roots=roots, limit=MANIFEST_LIMIT).decode("utf-8")
    except FileNotFoundError:
        raise WorkbookError(
            f"{what} not found",
            path=path,
            hint=f"{setting} in publication.toml is relative to publication.toml",
        ) from None
    except UnicodeDecodeError:
        raise WorkbookError(f"{what} is not UTF-8", path=path, hint="save it as UTF-8") from None
    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise WorkbookError(
            f"not valid TOML: {str(exc).split(' (at')[0]}",
            path=path,
            line=int(match[1]) if match else None,
            hint=shape,
        ) from None
    return RawManifest(path, text, tables)


def validate_entry(
    model: type[M],
    manifest: RawManifest,
    ident: str,
    raw: dict,
    noun: str,
    hints: Mapping[str, str] | None = None,
    missing_hint: str = "",
) -> M:
    """*raw* as a *model*, or a one-line error naming the key and its line."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = str(error["loc"][0]) if error["loc"] else ""
        line = manifest.line(ident, key) if key else manifest.line(ident)
        if error["type"] == "extra_forbidden":
            message = f"unknown key '{key}' in {noun} '{ident}'"
            hint: str | None = "allowed keys: " + ", ".join(model.model_fields)
        elif error["type"] == "missing":
            message = f"{noun} '{ident}' has no '{key}'"
            hint = missing_hint or f"add {key} = ..."
        else:
            detail = str(error["msg"]).removeprefix("Value error, ")
            message = f"bad value for '{key}' in {noun} '{ident}': {detail}"
            hint = (hints or {}).get(key)
        raise WorkbookError(message, path=manifest.path, line=line, hint=hint) from None
