"""Kill tests: ``invoke build`` stopped by SIGKILL at several moments.

After each kill the previous outputs are intact: every PDF and HTML file is
whole and is either the previous one or the new one, and they are mixed only
while a commit's journal waits to be completed. The next build succeeds, its
outputs are of one build, and it leaves nothing behind: no temporary copies
in the output folder, nothing in ``TMPDIR``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from corpus import (
    SLUG,
    Run,
    base_publication,
    invoke_command,
    output_digests,
    run_build,
    strays,
    tmp_leftovers,
)

from conftest import REPO

# (what the build prints just before the kill, seconds to wait after it)
MOMENTS = [
    ("content loaded and checked", 0.0),
    ("illustrations converted, rendering", 0.2),
    ("finishing", 0.0),
    ("finishing", 0.15),
    ("finishing", 0.3),
    ("preflight checks done", 0.0),
    (": made and checked", 0.0),
    (": made and checked", 0.05),
    (": made and checked", 0.15),
    (": made and checked", 0.3),
]


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """The outputs of a good build of the base publication."""
    run = Run("previous", tmp_path_factory.mktemp("kill-previous"))
    base_publication(run.pub)
    run_build(run)
    assert run.result is not None and run.result.returncode == 0, run.stderr
    return run.out


def kill_at(run: Run, marker: str, delay: float) -> str:
    """Start the build, SIGKILL its process group once *marker* is printed (and *delay*
    seconds more); return what it printed."""
    command = invoke_command("build", "--config", str(run.config), "--out", str(run.out))
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TMPDIR": str(run.tmp)}
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = []
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    for line in process.stdout:
        seen.append(line)
        if marker in line or time.monotonic() > deadline:
            break
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):  # it had finished
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    return "".join(seen)


@pytest.mark.parametrize(("marker", "delay"), MOMENTS, ids=[f"{m}+{d}" for m, d in MOMENTS])
def test_killed_build_keeps_previous_outputs(marker, delay, tmp_path, previous):
    run = Run("kill", tmp_path)
    base_publication(run.pub)
    shutil.copytree(previous, run.out, symlinks=True)
    run.tmp.mkdir()
    run.append("chapters/01-alku.md", "\nKappale, joka lisättiin ennen keskeytettyä ajoa.\n")
    old = output_digests(run.out)
    printed = kill_at(run, marker, delay)
    now = output_digests(run.out)
    assert set(now) == set(old), printed
    changed = {name for name in now if now[name] != old[name]}
    pending = list((run.out / ".tmp").glob("run-*/COMMIT.json"))
    assert not changed or changed == set(now) or pending, (changed, printed)
    assert tmp_leftovers(run.tmp) == [], printed

    run_build(run)  # the next build completes or redoes the work, and cleans up
    assert run.result is not None and run.result.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    done = output_digests(run.out)
    assert all(done[name] != old[name] for name in done if name.endswith(".pdf"))
    assert strays(run.out) == []
    assert not (run.out / ".tmp").exists()
    assert tmp_leftovers(run.tmp) == []
    assert (run.out / f"{SLUG}-press.pdf").read_bytes().startswith(b"%PDF")
