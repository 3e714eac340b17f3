"""The documentation against the code: docs/configuration.md's key table is the
publication.toml schema, and the README stays a short guide for users."""

from __future__ import annotations

import re
import typing
from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from workbook.config.publication import Config

REPO = Path(__file__).resolve().parents[1]
CONFIG_DOC = REPO / "docs" / "configuration.md"
README = REPO / "README.md"
README_LIMIT = 12_288  # bytes
_KEY_ROW = re.compile(r"^\|\s*`([a-z_]+(?:\.[a-z_]+)+)`\s*\|(.*)\|\s*$")
# The story of the project's own development belongs in git history, not in its files:
# words that date a text ("in the last sitting", "X used to ...") rather than say what is.
_HISTORY = re.compile(
    r"\b(?:this|previous|last)\s+sess\w*|\bspeed\s+changes|\bused\s+to\b|\bnow\s+takes"
)


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The pydantic model *annotation* names, also inside ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        if model := _model_in(argument):
            return model
    return None


def schema_keys(model: type[BaseModel] = Config, prefix: str = "") -> dict[str, FieldInfo]:
    """Every leaf key of the schema by its dotted path (``format.margins.top``)."""
    keys: dict[str, FieldInfo] = {}
    for name, field in model.model_fields.items():
        path = prefix + name
        nested = _model_in(field.annotation)
        if nested is None:
            keys[path] = field
        else:
            keys.update(schema_keys(nested, path + "."))
    return keys


def doc_rows() -> dict[str, list[str]]:
    """The key table of docs/configuration.md: dotted key -> the other cells."""
    rows: dict[str, list[str]] = {}
    for line in CONFIG_DOC.read_text(encoding="utf-8").splitlines():
        if match := _KEY_ROW.match(line):
            key = match[1]
            assert key not in rows, f"{key} has two rows in {CONFIG_DOC.name}"
            rows[key] = [cell.strip() for cell in match[2].split(" | ")]
    return rows


def test_schema_walk_reaches_nested_keys():
    keys = schema_keys()
    assert {"publication.title", "isbn.print", "format.trim", "format.margins.inner"} <= set(keys)
    assert "format.margins" not in keys  # a table, not a key


def test_every_schema_key_is_documented():
    missing = sorted(set(schema_keys()) - set(doc_rows()))
    assert not missing, f"keys of the schema without a row in docs/configuration.md: {missing}"


def test_every_documented_key_is_in_the_schema():
    unknown = sorted(set(doc_rows()) - set(schema_keys()))
    assert not unknown, f"rows of docs/configuration.md that are no key of the schema: {unknown}"


def test_rows_have_type_default_and_meaning():
    for key, cells in doc_rows().items():
        assert len(cells) == 3 and all(cells), f"{key}: need type, default and meaning"


@pytest.mark.parametrize("key", sorted(schema_keys()))
def test_documented_default_matches_the_schema(key):
    field = schema_keys()[key]
    rows = doc_rows()
    if key not in rows:
        pytest.skip("reported by test_every_schema_key_is_documented")
    default_cell = rows[key][1]
    if field.is_required():
        assert default_cell == "required", f"{key} is required in the schema"
        return
    assert default_cell != "required", f"{key} has a default in the schema"
    default = field.default
    if isinstance(default, Enum):
        expected = [f"`{default.value}`"]
    elif isinstance(default, bool):
        expected = [f"`{str(default).lower()}`"]
    elif isinstance(default, str):
        expected = [f'`"{default}"']
    elif isinstance(default, int):
        expected = [f"`{default}`"]
    elif isinstance(default, float):
        expected = [f"{default:g}"]
    elif isinstance(default, tuple):
        expected = [f"{value:g}" for value in default]
    else:  # None or a list: the meaning of the default is written out in words
        return
    for text in expected:
        assert text in default_cell, f"{key}: default {default!r}, the doc says {default_cell}"


def test_readme_is_short_and_starts_with_the_commands():
    data = README.read_bytes()
    assert len(data) <= README_LIMIT, f"README.md is {len(data)} bytes, the limit {README_LIMIT}"
    text = data.decode("utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.splitlines()]
    assert commands[:2] == ["./setup.sh && invoke build", "./setup.sh && invoke test"]
    assert text.index("```sh") < text.index("\n## ")


def test_readme_and_docs_tell_no_development_story():
    for path in [README, *sorted((REPO / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8").lower()
        found = _HISTORY.findall(text)
        assert not found, f"{path.relative_to(REPO)} mentions {found}"
