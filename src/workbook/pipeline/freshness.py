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
import os
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path

from workbook.paths import PACKAGE, REPO

STATE_DIR = ".state"
_SKIP_DIRS = {"__pycache__", ".git", "build", ".pytest_cache", ".ruff_cache"}


def input_folders(config_path: Path) -> list[Path]:
    """Folders and files whose content decides the output of a build."""
    config_path = config_path.resolve()
    root = config_path.parent
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        config = {}
    found = [root, REPO / "templates", REPO / "styles", PACKAGE]
    for table, key in (("images", "manifest"), ("data", "manifest"), ("colour", "output_profile")):
        value = config.get(table, {}).get(key) if isinstance(config.get(table), dict) else None
        if isinstance(value, str) and value:
            path = (root / value).resolve()
            found.append(path.parent if key == "manifest" else path)
    return found


def _files(paths: list[Path], exclude: Path | None = None) -> list[Path]:
    files: set[Path] = set()
    skip = exclude.resolve() if exclude is not None else None
    for path in paths:
        if path.is_file():
            files.add(path)
            continue
        for folder, dirs, names in os.walk(path):
            here = Path(folder)
            dirs[:] = [
                d
                for d in dirs
                if d not in _SKIP_DIRS and not d.startswith(".") and (here / d).resolve() != skip
            ]
            files.update(here / n for n in names if not n.endswith((".pyc", ".tmp")))
    return sorted(files)


def inputs_digest(config_path: Path, out_dir: Path | None = None, *, cover: bool = False) -> str:
    """One hash of every input file's path and content, and the tool versions.

    The back-cover text (``cover.blurb``) is an input of the cover alone: it is
    left out unless *cover*.
    """
    h = hashlib.sha256()
    for name in ("weasyprint", "pydyf", "pikepdf", "pillow"):
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=missing\n".encode())
    skip = set() if cover else cover_only_inputs(config_path)
    for path in _files(input_folders(config_path), exclude=out_dir):
        if path.resolve() in skip:
            continue
        h.update(str(path).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def cover_only_inputs(config_path: Path) -> set[Path]:
    """Files only the cover is made from: its blurb (``cover.blurb``)."""
    try:
        config = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()
    cover = config.get("cover")
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
    """SHA-256 of a file, or None when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


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


def state_file(out_dir: Path, pdf_name: str, kind: str) -> Path:
    """Where something learnt of the PDF *pdf_name* built into *out_dir* is kept,
    e.g. ``build/.state/asiakaspalvelu-screen.pages.json`` for *kind* ``"pages"``."""
    return out_dir / STATE_DIR / f"{Path(pdf_name).stem}.{kind}.json"


def write_json(path: Path, data: object, **options: object) -> None:
    """Write *data* as JSON to *path* through a temporary file and a rename, so a
    reader never meets half a file; *options* go to :func:`json.dumps` (the C
    encoder, unlike :func:`json.dump`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(data, **options))
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
        config = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        return str(config["publication"]["slug"])
    except (OSError, KeyError, TypeError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def with_cover(config_path: Path, names: list[str]) -> list[str]:
    """*names* and ``"cover"`` when the press edition is among them and the config has
    a ``[cover]`` table: the cover is made with the press edition it fits."""
    if "press" not in names or "cover" in names:
        return list(names)
    try:
        config = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return list(names)
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
        h.update(str(path).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
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
            self._digests[file] = hashlib.sha256(file.read_bytes()).hexdigest()[:32]
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
