"""One top-level error handler for the command-line tools: an expected failure is a message.

Every command (``python -m analysis.book.build``, ``python -m analysis.sources.kolada fetch``,
``python -m analysis.sources.pxweb fetch``) runs its work through :func:`run`. A failure that
bad input, the file system, the network or the numerics can cause is printed as one short
message naming the file (and row or notebook, when the error knows it) and the command exits
with a non-zero status; the Python traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import errno
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import numpy as np
import pandas as pd
import requests
import yaml

from analysis.core.errors import InputError

#: Exit status of an expected failure, of an unexpected one, and of an interrupted run.
EXIT_FAILED = 1
EXIT_BUG = 70
EXIT_INTERRUPTED = 130
DEBUG_HINT = "(run again with --debug for the Python traceback)"


def _where(exc: OSError) -> str:
    names = [n for n in (exc.filename, getattr(exc, "filename2", None)) if n]
    return " → ".join(map(str, names)) if names else "(no file named)"


def explain(exc: BaseException, expected: Sequence[type[BaseException]] = ()) -> str | None:
    """The message for an expected failure, or None if ``exc`` is not one.

    Parameters
    ----------
    exc
        The exception that ended the command.
    expected
        Further exception types whose text is already a complete message (e.g. a source's
        fetch error, a failed notebook).
    """
    if isinstance(exc, (InputError, *expected)):
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return (f"a file is not valid {exc.encoding} (byte {exc.start}: "
                f"{exc.object[exc.start:exc.start + 1]!r}); save it as UTF-8 or pass its encoding")
    if isinstance(exc, FileExistsError):
        return (f"{str(exc) if not exc.filename else _where(exc) + ': already exists'}; "
                "nothing is overwritten (fetch on another day into a new dated folder, or "
                "remove the folder first)")
    if isinstance(exc, OSError) and not isinstance(exc, requests.RequestException):
        if exc.errno == errno.ENOSPC:
            return f"{_where(exc)}: the disk is full; free space and run again"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return (f"{_where(exc)}: cannot write here ({exc.strerror}); the folder is "
                    "read-only or not yours. Choose another with --build-dir or fix the rights")
        if exc.errno == errno.ENOENT:
            return f"{_where(exc)}: no such file or folder"
        return f"{_where(exc)}: {exc.strerror or exc}"
    if isinstance(exc, requests.RequestException):
        return f"network error: {exc}"
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
    if isinstance(exc, yaml.YAMLError):
        return f"not valid YAML: {exc}"
    if isinstance(exc, np.linalg.LinAlgError):
        return (f"numerical failure: {exc}. Usually a group without data, e.g. all weights "
                "zero or no respondents in a kommun; check the microdata of that group")
    if isinstance(exc, pd.errors.ParserError | pd.errors.IntCastingNaNError):
        return f"a table could not be read: {exc}"
    if isinstance(exc, MemoryError):
        return "out of memory; run with fewer workers (-j 1)"
    return None


def run(work: Callable[[], Any], *, debug: bool = False,
        expected: Sequence[type[BaseException]] = (), cleanup: Callable[[], None] | None = None,
        stderr: TextIO | None = None, prog: str = "") -> int:
    """Run ``work()`` and turn every failure into a message and an exit status.

    Returns what ``work`` returns if it is an exit status (else 0), :data:`EXIT_FAILED` for an expected failure (:func:`explain`),
    :data:`EXIT_BUG` for an unexpected one and :data:`EXIT_INTERRUPTED` for Ctrl-C. With
    ``debug`` the traceback follows the message. ``cleanup`` runs on every failure.
    """
    err = stderr or sys.stderr
    prefix = f"{prog}: " if prog else ""
    try:
        status = work()
        return status if isinstance(status, int) and not isinstance(status, bool) else 0
    except KeyboardInterrupt:
        if cleanup:
            cleanup()
        print(f"{prefix}interrupted; nothing was published or written.", file=err)
        return EXIT_INTERRUPTED
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - this is the one top-level handler
        if cleanup:
            cleanup()
        msg = explain(exc, expected)
        status = EXIT_FAILED
        if msg is None:
            tb = traceback.extract_tb(exc.__traceback__)
            at = f" at {tb[-1].filename}:{tb[-1].lineno}" if tb else ""
            msg = f"unexpected error {type(exc).__name__}: {exc}{at}"
            status = EXIT_BUG
        print(f"{prefix}{msg}", file=err)
        if debug:
            traceback.print_exception(exc, file=err)
        else:
            print(DEBUG_HINT, file=err)
        return status
