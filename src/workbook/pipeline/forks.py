"""Forked processes of a build and how their outcome comes back to the parent.

A forked process sends one message through a pipe and ends. The outcome is a
value; or the :class:`~workbook.errors.WorkbookError`\\ s of bad input (their
fields: keyword arguments do not pickle); or a fault of the machine (an
``OSError``, raised again in the parent, which names the folder); or a bug,
raised in the parent as :class:`ProcessCrash` with the child's traceback as a
note. A process that ends without a word (killed, out of memory) is one line
too. Nothing is wrapped twice.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import traceback
from collections.abc import Callable

from workbook.errors import ContentErrors, WorkbookError


class ProcessCrash(RuntimeError):
    """A bug in a forked process (its traceback is the exception's note)."""


def fork_child(target: Callable, args: tuple, name: str):
    """Start ``target(*args, send)`` in a forked process; return the pipe's receiving
    end and the process."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    sys.stdout.flush()  # nothing buffered is written twice
    sys.stderr.flush()
    process = context.Process(target=target, args=(*args, send), name=name)
    process.start()
    send.close()
    return receive, process


def send_outcome(send, run: Callable[[], object]) -> None:
    """In a forked process: send what *run* returns, or how it failed, to the parent."""
    try:
        message: tuple = ("ok", run())
    except WorkbookError as exc:
        message = ("errors", [e.fields() for e in exc.errors], getattr(exc, "more", 0))
    except OSError as exc:  # a fault of the machine: the parent names the folder
        message = ("os", exc.errno, exc.strerror, exc.filename)
    except BaseException as exc:  # a bug: the parent raises it with this traceback
        message = ("crash", type(exc).__name__, str(exc), traceback.format_exc())
    with contextlib.suppress(OSError, ValueError):  # the parent stopped listening
        send.send(message)
    send.close()


def receive_outcome(receive, process, what: str):
    """Wait for the outcome *process* sends (:func:`send_outcome`) and for its end;
    return the value or the :class:`WorkbookError`, raise a fault or a crash."""
    try:
        message = receive.recv()
    except EOFError:  # it died without a word
        message = None
    finally:
        receive.close()
        process.join()
    return received(message, process.exitcode, what)


def received(message: tuple | None, exitcode: int | None, what: str):
    """What :func:`send_outcome` sent, as the parent's value, error or exception."""
    if message is None:
        how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else exitcode
        return WorkbookError(
            f"{what} stopped without a word (exit {how})",
            hint="the machine may have run out of memory; build fewer editions at once "
            "(-e press) or close other programs",
        )
    kind, *payload = message
    if kind == "ok":
        return payload[0]
    if kind == "errors":
        fields, more = payload
        errors = [
            WorkbookError(text, path=path, line=line, hint=hint)
            for text, path, line, hint in fields
        ]
        return errors[0] if len(errors) == 1 and not more else ContentErrors(errors, more)
    if kind == "os":
        number, text, filename = payload
        raise OSError(number, text, filename)
    name, text, trace = payload
    crash = ProcessCrash(f"{what}: {name}: {text}")
    crash.add_note(trace)
    raise crash
