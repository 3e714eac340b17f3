"""The registry of renderer patches: every run-time change to WeasyPrint, in one table.

A patch is a last resort. Each entry of :data:`PATCHES` names the functions it
replaces, the exact library version and the sha256 of each function's source
it was written against, the upstream issue it works around and what it saves
(measured with ``invoke bench --patches``). :func:`install_all` applies them,
once per process, and only from the command entry points (the build, watch
mode, the profiler), never on ``import workbook``.

Guards, in order, each falling back to stock WeasyPrint with one warning:

1. ``WORKBOOK_STOCK_RENDERER`` is unset (``1`` turns every patch off; a comma
   list of patch names turns those off);
2. the installed library is the exact version the patch was written for, read
   from the package metadata without importing anything;
3. the source of every function it replaces hashes to the recorded sha256;
4. the patch module imports (its WeasyPrint internals are imported only here,
   so a renamed internal is a warning, never an ImportError) and applies.

The patch modules themselves hold only the replacement code and an ``apply()``
that puts it in place; they check nothing. Their tests compare their output
with stock WeasyPrint's (``tests/patches/``).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata

STOCK_ENV = "WORKBOOK_STOCK_RENDERER"


@dataclass(frozen=True)
class Patch:
    """One run-time change to the renderer, and what justifies it."""

    name: str
    summary: str
    library: str  # distribution name
    version: str  # the exact version the patch mirrors
    replaces: Mapping[str, str]  # dotted path of each replaced function -> sha256 of its source
    upstream: str  # the upstream issue it works around
    saves: str  # measured by ``invoke bench --patches``

    @property
    def module(self) -> str:
        """The module that holds the replacement code and its ``apply()``."""
        return f"{__name__}.{self.name}"


@dataclass(frozen=True)
class Outcome:
    """Whether a patch is in place, and why not."""

    patch: Patch
    applied: bool
    reason: str = ""

    def line(self) -> str:
        """One line for ``invoke build -v``."""
        state = "active" if self.applied else f"off ({self.reason})"
        return f"{self.patch.name:<11} {state}: {self.patch.summary}"


PATCHES: tuple[Patch, ...] = (
    Patch(
        name="pagination",
        summary="footnotes not repeated when pages are remade; no rounds of layout for "
        "page numbers that did not change",
        library="weasyprint",
        version="70.0",
        replaces={
            "weasyprint.layout.page.make_all_pages": (
                "b5e4034894841caa9581fa5d33338c71a7d8948be65618d358ab4b946f367edb"
            ),
            "weasyprint.css.targets.TargetCollector.lookup_target": (
                "cc606c47e1954d3bdacca44d231305cd486f3f79183e7eddda0a41dfd489fb31"
            ),
            "weasyprint.css.targets.TargetCollector.collect_missing_counters": (
                "24ea43be86560c9db5b931269d67af82528cb44a8ced2a25e57036859bebe0cc"
            ),
            "weasyprint.css.targets.TargetCollector.cache_target_page_counters": (
                "545eb30bb50f0e4921f6405ed31cfcc20bb92f32c85b549fe81507cbf27d6dee"
            ),
        },
        upstream="not reported upstream yet; the closest report is "
        "https://github.com/Kozea/WeasyPrint/issues/1871 (footnotes on the wrong page)",
        saves="7-8 % of a clean build's CPU; and a footnote is never printed twice",
    ),
    Patch(
        name="textsetup",
        summary="one Pango context per text style, not one per piece of text",
        library="weasyprint",
        version="70.0",
        replaces={
            "weasyprint.text.line_break.Layout.setup": (
                "fb227a55094f41d42fbd57f180d8b7a9a1e741969ec8ddb3fd5cd80920257442"
            ),
        },
        upstream="https://github.com/Kozea/WeasyPrint/issues/578",
        saves="3-4 % of a clean build's CPU",
    ),
    Patch(
        name="linefit",
        summary="hyphenation candidates that cannot fit are not laid out",
        library="weasyprint",
        version="70.0",
        replaces={
            "weasyprint.text.line_break.split_first_line": (
                "39ad1016863ca34de0bea4c9fcffb46da7e27813c87dd82b7011bfa19fe5504f"
            ),
        },
        upstream="https://github.com/Kozea/WeasyPrint/issues/578",
        saves="2-4 % of a clean build's CPU (8 % of the stress book's render)",
    ),
    Patch(
        name="svgtext",
        summary="SVG text set as one kerned line per element, not letter by letter",
        library="weasyprint",
        version="70.0",
        replaces={
            "weasyprint.svg.text.text": (
                "67a30c3e181b4a8002350771928b86b26dfef05b2706d0b3c6b46943e41af61b"
            ),
        },
        upstream="https://github.com/Kozea/WeasyPrint/issues/2249",
        saves="2-3 % of a clean build's CPU; and the chart labels are kerned",
    ),
    Patch(
        name="glyphoffsets",
        summary="glyph offsets rounded, not truncated: tracked lines end where laid out",
        library="weasyprint",
        version="70.0",
        replaces={
            "weasyprint.draw.text.draw_first_line": (
                "1bb8eae6d88e71b17096a034656f3be17da8f1f513c78536c1c38d971927638b"
            ),
        },
        upstream="not reported upstream yet; the closest report is "
        "https://github.com/Kozea/WeasyPrint/issues/2928 (justified text drawn wider "
        "than it was laid out)",
        saves="no time: a tracked line's drawn end moves from 0.3-0.6 pt off its "
        "measure to within 0.1 pt (tests/patches/test_glyphoffsets.py)",
    ),
)


@dataclass
class _State:
    outcomes: dict[str, Outcome] = field(default_factory=dict)


_state = _State()


def resolve(dotted: str) -> object:
    """The object named by *dotted* (a module path, then attributes)."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ImportError(f"no module in {dotted}")


def source_sha256(function: object) -> str:
    """sha256 of *function*'s source text, as :func:`inspect.getsource` gives it."""
    return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()


def _stock_names(environ: Mapping[str, str]) -> set[str] | None:
    """The patches ``WORKBOOK_STOCK_RENDERER`` turns off (None: all of them)."""
    value = environ.get(STOCK_ENV, "").strip()
    if value.lower() in ("1", "true", "yes", "all"):
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _version(library: str) -> str | None:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return None


def _guard(patch: Patch, off: set[str] | None) -> str:
    """Why *patch* must not be applied here, or "" when it may."""
    if off is None or patch.name in off:
        return f"{STOCK_ENV} is set"
    installed = _version(patch.library)
    if installed != patch.version:
        return (
            f"{patch.library} {installed} is not the version it was written for ({patch.version})"
        )
    for dotted, digest in patch.replaces.items():
        try:
            source = source_sha256(resolve(dotted))
        except (ImportError, AttributeError, OSError, TypeError) as exc:
            return f"{dotted} cannot be read ({exc})"
        if source != digest:
            return f"the source of {dotted} is not the one it was written for"
    return ""


def install_all(
    environ: Mapping[str, str] | None = None,
    patches: tuple[Patch, ...] = PATCHES,
    apply: Callable[[Patch], None] | None = None,
) -> list[str]:
    """Apply every registered patch whose guards pass (once per process).

    Returns a warning for each patch left out for any reason but
    ``WORKBOOK_STOCK_RENDERER``, on the call that decided it (later calls
    return nothing), e.g. "patch linefit not applied: weasyprint 71.0 is not
    the version it was written for (70.0); building with stock WeasyPrint".
    """
    off = _stock_names(os.environ if environ is None else environ)
    warnings = []
    for patch in patches:
        if patch.name in _state.outcomes:
            continue
        reason = _guard(patch, off)
        if not reason:
            try:
                (apply or _apply)(patch)
            except Exception as exc:  # a renamed internal: stock WeasyPrint, and say so
                reason = f"applying it failed ({type(exc).__name__}: {exc})"
        _state.outcomes[patch.name] = Outcome(patch, not reason, reason)
        if reason and not reason.startswith(STOCK_ENV):
            warnings.append(
                f"patch {patch.name} not applied: {reason}; building with stock {patch.library}"
            )
    return warnings


def _apply(patch: Patch) -> None:
    importlib.import_module(patch.module).apply()


def outcomes() -> list[Outcome]:
    """What :func:`install_all` decided for each patch so far, in registry order."""
    return list(_state.outcomes.values())


def active() -> list[str]:
    """The names of the patches in place in this process."""
    return [o.patch.name for o in outcomes() if o.applied]
