"""The build's jobs (editions and the cover), each in a process forked for it,
side by side up to the number of workers, a job after the one it waits for."""

from __future__ import annotations

import multiprocessing.connection

from workbook.errors import WorkbookError
from workbook.pipeline import edition
from workbook.pipeline.edition import EditionJob, EditionResult, RunSettings
from workbook.pipeline.forks import fork_child, receive_outcome, send_outcome
from workbook.runtime.memory import frozen_heap


def run_jobs(jobs: list[EditionJob], settings: RunSettings, workers: int) -> list:
    """Each job's EditionResult or WorkbookError, in parallel processes when allowed.

    Each edition runs in a process forked for it, which sends its outcome back
    through a pipe and ends with its edition, so it may leave WeasyPrint's
    garbage to the operating system (:func:`drop_render_garbage`); what it
    leaves in the temporary folder is in the build's scratch folder, removed
    with it. (A ``multiprocessing.Pool`` with one task per child forks a
    replacement for each child that ends, a copy of the whole loaded parent
    that is then never used.) With more jobs than *workers*, the rest wait.
    """
    if workers <= 1 or not jobs:
        outcomes: list = []
        for job in jobs:  # a job comes after the one it waits for
            failed = _predecessor_failed(job, jobs, outcomes)
            outcomes.append(failed or _run_job_here(job, settings))
        return outcomes
    with frozen_heap():  # see workbook.runtime.memory, rule 3
        return _fork_each(jobs, settings, workers)


def _predecessor_failed(job: EditionJob, jobs: list[EditionJob], outcomes: list):
    """A WorkbookError when the job *job* waits for failed, else None."""
    failed = (o for j, o in zip(jobs, outcomes, strict=False) if j.variant.name == job.after)
    if any(isinstance(outcome, WorkbookError) for outcome in failed):
        return NotMade(f"not made: the {job.after} edition failed", path=job.target)
    return None


class NotMade(WorkbookError):
    """A job left out because the one it waits for failed (that one's error says why)."""


def _ready(index: int, jobs: list[EditionJob], outcomes: list) -> bool:
    """Whether the job waits for nothing unfinished."""
    after = jobs[index].after
    return all(
        o is not None for j, o in zip(jobs, outcomes, strict=True) if j.variant.name == after
    )


def _fork_each(jobs: list[EditionJob], settings: RunSettings, workers: int) -> list:
    outcomes: list = [None] * len(jobs)
    # An edition that starts from another's page make-up waits in its process for
    # that plan (edition.plan_ready), not for the other's finishing and checks.
    seeds = {job.seed for job in jobs} - {None}
    edition.plan_ready = {name: multiprocessing.Event() for name in seeds}
    waiting = list(range(len(jobs)))
    running: dict = {}  # receiving end of the pipe -> (index, process)
    try:
        while waiting or running:
            while len(running) < workers:
                ready = [i for i in waiting if _ready(i, jobs, outcomes)]
                if not ready:
                    break
                index = ready[0]
                waiting.remove(index)
                job = jobs[index]
                if failed := _predecessor_failed(job, jobs, outcomes):
                    outcomes[index] = failed
                    continue
                receive, process = fork_child(
                    _run_job_and_send, (job, settings), f"workbook-{job.variant.name}"
                )
                running[receive] = (index, process)
            for receive in multiprocessing.connection.wait(list(running)) if running else ():
                index, process = running.pop(receive)
                outcomes[index] = receive_outcome(receive, process, "building an edition")
                if (ready := edition.plan_ready.get(jobs[index].variant.name)) is not None:
                    ready.set()  # its job is over, plan or not: the waiting one goes on
    finally:
        edition.plan_ready = {}
        for receive, (_, process) in running.items():  # only after an error here
            process.kill()
            process.join()
            receive.close()
    return outcomes


def _run_job_here(job: EditionJob, settings: RunSettings):
    try:
        return _build_job(job, settings)
    except WorkbookError as exc:
        return exc


def _run_job_and_send(job: EditionJob, settings: RunSettings, send) -> None:
    edition.mark_worker()
    send_outcome(send, lambda: _build_job(job, settings))


def _build_job(job: EditionJob, settings: RunSettings) -> EditionResult:
    if job.variant.name == "cover":
        return edition.build_cover(job, settings)
    return edition.build_edition(job, settings)
