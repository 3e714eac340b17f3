"""Is there anything to do? Input hashes of each edition, kept in build/.state/.

An edition is up to date when the hash of everything it is made from
(publication folder, illustrations, data, templates, styles, colour profile,
the pipeline's own code and the WeasyPrint version) equals the hash recorded
when its PDF was written, and the PDF is still the file written then.

This module imports nothing heavy (no pydantic, no WeasyPrint), so a build
with nothing to do answers in a fraction of a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import stat
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from workbook.paths import PACKAGE, REPO

P = TypeVar("P")  # a page, as the reader takes it
R = TypeVar("R")  # what was read of it

STATE_DIR = ".state"
_SKIP_DIRS = {"__pycache__", ".git", "build", ".pytest_cache", ".ruff_cache"}


def _regular_bytes(path: Path) -> bytes | None:
    """The bytes of *path* if it is a regular file (never waits on a named pipe)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None
        return stream.read()


def _raw_config(config_path: Path) -> dict:
    data = _regular_bytes(config_path)
    try:
        return tomllib.loads(data.decode("utf-8-sig")) if data is not None else {}
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def allowed_roots(config_path: Path) -> list[Path]:
    """The publication folder and the folders ``[paths] allow`` names (resolved), read
    without validating the config: the places whose files may be inputs."""
    root = config_path.resolve().parent
    paths = _raw_config(config_path.resolve()).get("paths")
    allow = paths.get("allow") if isinstance(paths, dict) else None
    extra = [Path(root, v).resolve() for v in allow or () if isinstance(v, str) and v]
    return [root, *(p for p in extra if p.is_dir())]


def input_folders(config_path: Path) -> list[Path]:
    """Folders and files whose content decides the output of a build.

    A manifest or profile that leads outside the publication folder and the
    allowed folders is not followed (the build refuses it): nothing outside is
    ever walked or read.
    """
    config_path = config_path.resolve()
    root = config_path.parent
    config = _raw_config(config_path)
    roots = allowed_roots(config_path)
    found = [root, REPO / "templates", REPO / "styles", PACKAGE]
    for table, key in (("images", "manifest"), ("data", "manifest"), ("colour", "output_profile")):
        value = config.get(table, {}).get(key) if isinstance(config.get(table), dict) else None
        if isinstance(value, str) and value:
            path = (root / value).resolve()
            if not any(path.is_relative_to(r) for r in roots):
                continue
            named = path.parent if key == "manifest" else path
            if not named.is_relative_to(root):
                found.append(named)
    return found


def _files(paths: list[Path], exclude: Path | None = None) -> list[Path]:
    """Regular files and links under *paths* (links are not followed into folders;
    named pipes, sockets and devices are left out)."""
    files: set[Path] = set()
    skip = exclude.resolve() if exclude is not None else None
    for path in paths:
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            if stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                files.add(path)
            continue
        for folder, dirs, names in os.walk(path):
            here = Path(folder)
            dirs[:] = [
                d
                for d in dirs
                if d not in _SKIP_DIRS and not d.startswith(".") and (here / d).resolve() != skip
            ]
            for name in names:
                if name.endswith((".pyc", ".tmp")):
                    continue
                with contextlib.suppress(OSError):
                    mode = os.lstat(here / name).st_mode
                    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                        files.add(here / name)
    return sorted(files)


def _file_key(path: Path) -> bytes:
    """What a file contributes to the hash: its bytes, or for a link where it leads
    (and the bytes there, when that is a regular file)."""
    if path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            return b"link?"
        data = _regular_bytes(path)
        return b"link:" + target.encode() + (hashlib.sha256(data).digest() if data else b"")
    data = _regular_bytes(path)
    return hashlib.sha256(data).digest() if data is not None else b"unreadable"


def inputs_digest(
    config_path: Path,
    out_dir: Path | None = None,
    *,
    cover: bool = False,
    leave_out: Iterable[Path] = (),
) -> str:
    """One hash of every input file's path and content, and the tool versions.

    The back-cover text (``cover.blurb``) is an input of the cover alone: it is
    left out unless *cover*; so are the files *leave_out*.
    """
    h = hashlib.sha256()
    for name in ("weasyprint", "pydyf", "pikepdf", "pillow"):
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=missing\n".encode())
    skip = set() if cover else cover_only_inputs(config_path)
    skip |= {path.resolve() for path in leave_out}
    for path in _files(input_folders(config_path), exclude=out_dir):
        if path.resolve() in skip:
            continue
        h.update(str(path).encode() + b"\0")
        h.update(_file_key(path))
    return h.hexdigest()


def cover_only_inputs(config_path: Path) -> set[Path]:
    """Files only the cover is made from: its blurb (``cover.blurb``)."""
    cover = _raw_config(Path(config_path)).get("cover")
    if not isinstance(cover, dict):
        return set()
    blurb = cover.get("blurb", "takakansi.md")
    if not isinstance(blurb, str) or not blurb:
        return set()
    return {(Path(config_path).resolve().parent / blurb).resolve()}


def cover_digest(config_path: Path, out_dir: Path) -> str:
    """What the cover is made from: every input, its blurb, and the press PDF it fits."""
    h = hashlib.sha256(inputs_digest(config_path, out_dir, cover=True).encode())
    slug = slug_of(config_path) or "book"
    h.update(str(file_digest(out_dir / f"{slug}-press.pdf")).encode())
    return h.hexdigest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file, or None when it does not exist (or is no regular file)."""
    data = _regular_bytes(path)
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _state_path(out_dir: Path, slug: str) -> Path:
    return out_dir / STATE_DIR / f"{slug}.json"


def read_state(out_dir: Path, slug: str) -> dict:
    """What the last successful build recorded."""
    try:
        return json.loads(_state_path(out_dir, slug).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(out_dir: Path, slug: str, state: dict) -> None:
    """Record *state* (atomically)."""
    write_json(_state_path(out_dir, slug), state, indent=1, sort_keys=True)


def state_file(out_dir: Path, pdf_name: str, kind: str, suffix: str = ".json") -> Path:
    """Where something learnt of the PDF *pdf_name* built into *out_dir* is kept,
    e.g. ``build/.state/asiakaspalvelu-screen.pages.json`` for *kind* ``"pages"``."""
    return out_dir / STATE_DIR / f"{Path(pdf_name).stem}.{kind}{suffix}"


def read_page_cache(path: Path, version: int) -> dict:
    """The pages of a per-page reading cache written by :func:`write_page_cache`, or
    an empty mapping when the file is missing, unreadable, of another version or
    of another Python: the caches are hints."""
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != (version, *sys.version_info[:2]):
        return {}
    pages = data.get("pages")
    return pages if isinstance(pages, dict) else {}


def write_page_cache(path: Path, version: int, pages: dict) -> None:
    """Keep what was read of each page (page key -> lists, strings and numbers), as
    :func:`write_json` does. The checks read back every page of a book after each
    edit: :mod:`marshal` reads and writes these some ten times faster than JSON,
    and the file is only for this Python, which the version records."""
    data = {"version": (version, *sys.version_info[:2]), "pages": pages}
    _write_atomic(path, marshal.dumps(data))


def cached_readings(
    pages: Sequence[P],
    keys: Sequence[str],
    cache: Path | None,
    version: int,
    read: Callable[[P, int], R],
    restore: Callable[[object, int], R | None],
    store: Callable[[R], object],
) -> list[R]:
    """Each page's reading (pages numbered from 1), taken from the page cache *cache*
    by the page's key where it holds one that *restore* accepts, else *read*
    afresh. Without *cache* or a key for every page, each page is read. The
    cache is written again when a page was read or the keys changed: a page
    taken from it as it was stored, a page read now as *store* encodes it."""
    keys = list(keys) if cache is not None and len(keys) == len(pages) else []
    known = read_page_cache(cache, version) if cache is not None and keys else {}
    found: list[R] = []
    stored: dict[str, object] = {}
    fresh = 0
    for number, page in enumerate(pages, start=1):
        key = keys[number - 1] if keys else None
        seen = known.get(key) if key is not None else None
        reading = restore(seen, number) if seen is not None else None
        if reading is None:
            reading, seen, fresh = read(page, number), None, fresh + 1
        if key is not None:
            stored[key] = seen if seen is not None else store(reading)
        found.append(reading)
    if cache is not None and keys and (fresh or set(known) != set(keys)):
        write_page_cache(cache, version, stored)
    return found


def write_json(path: Path, data: object, **options: object) -> None:
    """Write *data* as JSON to *path* through a temporary file and a rename, so a
    reader never meets half a file; *options* go to :func:`json.dumps` (the C
    encoder, unlike :func:`json.dump`)."""
    _write_atomic(path, json.dumps(data, **options).encode("utf-8"))


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    from workbook.pipeline.outputs import share, temp_folder

    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=temp_folder(path))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        share(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_json_part(path: Path, version: int, part: str) -> dict:
    """The mapping *part* of a JSON file written as ``{"version": ..., part: {...}}``,
    or an empty one when the file is missing, unreadable or of another version:
    the state files are hints."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != version:
        return {}
    found = data.get(part)
    return found if isinstance(found, dict) else {}


def slug_of(config_path: Path) -> str | None:
    """The publication's slug, read without validating the whole config."""
    try:
        return str(_raw_config(Path(config_path))["publication"]["slug"])
    except (KeyError, TypeError):
        return None


def with_cover(config_path: Path, names: list[str]) -> list[str]:
    """*names* and ``"cover"`` when the press edition is among them and the config has
    a ``[cover]`` table: the cover is made with the press edition it fits."""
    if "press" not in names or "cover" in names:
        return list(names)
    config = _raw_config(Path(config_path))
    return [*names, "cover"] if isinstance(config.get("cover"), dict) else list(names)


SPEC_SUFFIXES = (".html", ".pdf", ".json")


def spec_paths(out_dir: Path, slug: str) -> list[Path]:
    """The spec sheet's files: ``<slug>-spec.html``, ``.pdf`` and ``.json``."""
    return [out_dir / f"{slug}-spec{suffix}" for suffix in SPEC_SUFFIXES]


def spec_written(config_path: Path, out_dir: Path, names: list[str]) -> bool:
    """Whether the spec sheet is there when the job has a cover (it follows the preflight)."""
    slug = slug_of(config_path)
    if "cover" not in names or slug is None:
        return True
    return all(path.exists() for path in spec_paths(out_dir, slug))


def stale_editions(
    config_path: Path, out_dir: Path, editions: list[str], digest: str | None = None
) -> list[str]:
    """The editions among *editions* whose PDF is missing or older than its inputs."""
    slug = slug_of(config_path)
    if slug is None:
        return list(editions)  # let the build report the config error
    digest = digest or inputs_digest(config_path, out_dir)
    state = read_state(out_dir, slug)
    stale = []
    for name in editions:
        entry = state.get(name, {})
        pdf = out_dir / f"{slug}-{name}.pdf"
        wanted = cover_digest(config_path, out_dir) if name == "cover" else digest
        if entry.get("inputs") != wanted or entry.get("pdf") != file_digest(pdf):
            stale.append(name)
    if "cover" in editions and "cover" not in stale and "press" in stale:
        stale.append("cover")  # it fits the press PDF about to be made
    return stale


def record_edition(config_path: Path, out_dir: Path, edition: str, digest: str) -> None:
    """Remember that *edition* was built from inputs *digest* (the cover: from
    :func:`cover_digest`, with the press PDF as it is now)."""
    slug = slug_of(config_path) or "book"
    state = read_state(out_dir, slug)
    pdf = out_dir / f"{slug}-{edition}.pdf"
    if edition == "cover":
        digest = cover_digest(config_path, out_dir)
    state[edition] = {"inputs": digest, "pdf": file_digest(pdf)}
    write_state(out_dir, slug, state)


def preflight_fresh(config_path: Path, out_dir: Path, editions: list[str], strict: bool) -> bool:
    """Whether the last preflight passed on exactly these PDFs (and this config)."""
    slug = slug_of(config_path)
    if slug is None:
        return False
    state = read_state(out_dir, slug).get("preflight", {})
    return state == _preflight_key(config_path, out_dir, slug, editions, strict)


def record_preflight(config_path: Path, out_dir: Path, editions: list[str], strict: bool) -> None:
    """Remember that the preflight passed on these PDFs."""
    slug = slug_of(config_path) or "book"
    state = read_state(out_dir, slug)
    state["preflight"] = _preflight_key(config_path, out_dir, slug, editions, strict)
    write_state(out_dir, slug, state)


def _preflight_key(config_path: Path, out_dir: Path, slug: str, editions, strict: bool) -> dict:
    return {
        "config": file_digest(Path(config_path)),
        "code": inputs_digest_of([PACKAGE]),
        "pdfs": {name: file_digest(out_dir / f"{slug}-{name}.pdf") for name in sorted(editions)},
        "report": (out_dir / "preflight" / "report.html").exists(),
        "strict": strict,
    }


def inputs_digest_of(paths: list[Path]) -> str:
    """Hash of the files under *paths*."""
    h = hashlib.sha256()
    for path in _files(paths):
        h.update(str(path).encode() + b"\0" + _file_key(path))
    return h.hexdigest()


class KeptFacts:
    """Facts about input files kept by the files' content digest between builds.

    Reading a font's character map or decoding an illustration to prove it whole
    costs a tenth of a second each build, and the answer depends only on the
    file's bytes and the reader: *kind* names both (e.g. ``"font fontTools
    4.68.0"``). Only facts met in this build are written back, so files that are
    gone drop out. A hint, like every cache: missing or unreadable, it is rebuilt.
    """

    _VERSION = 1

    def __init__(self, path: Path) -> None:
        self.path = path
        self._used: dict[str, object] = {}
        self._digests: dict[Path, str] = {}
        self._known = read_json_part(path, self._VERSION, "facts")

    def _key(self, kind: str, file: Path) -> str:
        if file not in self._digests:
            data = _regular_bytes(file) or b""
            self._digests[file] = hashlib.sha256(data).hexdigest()[:32]
        return f"{kind}:{self._digests[file]}"

    def get(self, kind: str, file: Path) -> object | None:
        """What was found of *file* (by its content) the last time, or None."""
        key = self._key(kind, file)
        value = self._known.get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, kind: str, file: Path, value: object) -> None:
        """Keep *value* (JSON data) as the fact *kind* of *file*."""
        self._used[self._key(kind, file)] = value

    def save(self) -> None:
        """Write the facts met in this build, if they differ from the file's."""
        if self._used != self._known:
            with contextlib.suppress(OSError):  # a hint: the next build learns it again
                write_json(self.path, {"version": self._VERSION, "facts": self._used})
