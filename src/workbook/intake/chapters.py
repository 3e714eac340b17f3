"""Stage 2: read the chapter files (front matter + Markdown body), validated.

A chapter file starts with YAML front matter between two ``---`` lines::

    ---
    title: Mitä asiakkaat kertoivat
    short_title: Asiakkaat
    ---

Keys: ``title`` (required), ``short_title`` (running head, defaults to the title),
``numbered`` (false for back matter such as sources), ``order`` (a number; files
without one follow file-name order), ``layout`` (``references`` sets paragraphs as
a list of sources with hanging indents). The config's ``[content] chapters`` list,
when given, decides the order instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbook.config.files import read_bytes
from workbook.config.publication import Project
from workbook.errors import Collector, WorkbookError

_FENCE = "---"


class ChapterMeta(BaseModel):
    """A chapter's front matter."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    title: str = Field(min_length=1)
    short_title: str = Field(default="", max_length=48)
    numbered: bool = True
    order: int | None = None
    layout: Literal["chapter", "references"] = "chapter"

    @property
    def running_head(self) -> str:
        """Text of the running head: the short title, or the title."""
        return self.short_title or self.title


@dataclass(frozen=True)
class SourceChapter:
    """One chapter file as read from disk."""

    path: Path
    meta: ChapterMeta
    body: str
    body_line: int  # line number of the body's first line in the file
    lines: tuple[str, ...] = ()  # the whole file, for error locations

    @property
    def slug(self) -> str:
        """Chapter id from the file name: ``03-asiakkaat.md`` -> ``asiakkaat``."""
        stem = re.sub(r"^\d+[-_ ]*", "", self.path.stem)
        return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "luku"

    def line_of(self, needle: str, *, in_body: bool = True) -> int | None:
        """First line of the body (or the whole file) containing *needle*, for errors."""
        start = self.body_line if in_body else 1
        for number, line in enumerate(self.lines[start - 1 :], start=start):
            if needle in line:
                return number
        return None


def read_chapter(
    path: Path, roots: tuple[Path, ...] = (), limit_kib: int | None = None
) -> SourceChapter:
    """Read one chapter file and validate its front matter.

    The file must lead into *roots* (the publication's folders) and be at most
    *limit_kib* KiB (``limits.chapter_size``).
    """
    try:
        raw = read_bytes(
            path,
            what="chapter file",
            roots=roots,
            limit=limit_kib * 1024 if limit_kib else None,
            limit_hint="split the chapter, or raise limits.chapter_size in publication.toml",
        )
    except FileNotFoundError:
        raise WorkbookError("chapter file not found", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise WorkbookError(
            "chapter is not UTF-8 text",
            path=path,
            line=line,
            hint="save the file as UTF-8 (Finnish letters ä, ö, å must survive)",
        ) from None
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != _FENCE:
        raise WorkbookError(
            "front matter missing",
            path=path,
            line=1,
            hint="start the file with '---', then 'title: ...', then '---'",
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
    except StopIteration:
        raise WorkbookError(
            "front matter is not closed",
            path=path,
            line=1,
            hint="end the front matter with a line of three hyphens '---'",
        ) from None
    header = "\n".join(lines[1:end])
    try:
        data = yaml.safe_load(header) if header.strip() else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(exc, "problem", None) or "syntax error"
        raise WorkbookError(
            f"malformed front matter: {problem}",
            path=path,
            line=line,
            hint="write one 'key: value' per line; quote values containing ':'",
        ) from None
    if not isinstance(data, dict):
        raise WorkbookError(
            "front matter must be 'key: value' lines",
            path=path,
            line=2,
            hint="at least 'title: Chapter title'",
        )
    try:
        meta = ChapterMeta.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(p) for p in error["loc"])
        line = next((i + 2 for i, row in enumerate(lines[1:end]) if row.startswith(f"{key}:")), 2)
        allowed = ", ".join(ChapterMeta.model_fields)
        if error["type"] == "missing":
            message, hint = f"front matter lacks '{key}'", f"add '{key}: ...'"
        elif error["type"] == "extra_forbidden":
            message, hint = f"unknown front matter key '{key}'", f"allowed keys: {allowed}"
        else:
            message = f"bad front matter value for '{key}': {error['msg']}"
            hint = f"allowed keys: {allowed}"
        raise WorkbookError(message, path=path, line=line, hint=hint) from None
    return SourceChapter(
        path=path,
        meta=meta,
        body="\n".join(lines[end + 1 :]),
        body_line=end + 2,
        lines=tuple(lines),
    )


def chapter_paths(project: Project) -> list[Path]:
    """The chapter files in book order (config list, else front-matter order and file names)."""
    folder = project.chapters_dir
    listed = project.config.content.chapters
    if listed is not None:
        paths = [folder / name for name in listed]
        for name, path in zip(listed, paths, strict=True):
            if not path.exists() and not path.is_symlink():
                raise WorkbookError(
                    f"chapter '{name}' listed in the config does not exist",
                    path=project.config_path,
                    hint=f"create {path.relative_to(project.root)} "
                    "or remove it from [content] chapters",
                )
        return paths
    if not folder.is_dir():
        raise WorkbookError(
            f"chapter folder '{folder.name}' not found",
            path=project.config_path,
            hint="set [content] chapters_dir",
        )
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise WorkbookError(
            "no chapters (*.md) found", path=folder, hint="add a Markdown file per chapter"
        )
    return paths


def load_chapters(project: Project, errors: Collector | None = None) -> list[SourceChapter]:
    """Read and validate every chapter, in book order.

    With *errors*, a chapter that cannot be read is kept there and left out, so
    the other chapters are still checked; without, the first error is raised.
    """
    limits = project.config.limits
    chapters = []
    for path in chapter_paths(project):
        if errors is None:
            chapters.append(read_chapter(path, project.allowed, limits.chapter_size))
            continue
        with errors.attempt():
            chapters.append(read_chapter(path, project.allowed, limits.chapter_size))
    if project.config.content.chapters is None:
        chapters.sort(key=lambda c: (c.meta.order is None, c.meta.order or 0, c.path.name))
    return chapters
