"""Warm kernels for the build: every notebook's kernel is forked from a process that has already
imported the heavy libraries, instead of starting Python and importing them again.

A build worker starts one *zygote* (``python -m analysis.book.warmkernel``, which serves with
:func:`serve`): a single-threaded process that imports the heavy libraries once (numpy, pandas, scipy, matplotlib, geopandas, statsmodels,
pandera, IPython and ipykernel) and then waits for requests on its stdin. For each notebook,
papermill's kernel manager (:func:`kernel_manager_class`) asks the zygote for a kernel; the zygote
forks, and the child sets the environment, working directory and log of the job and becomes an
ordinary ipykernel on the connection file the manager wrote. Papermill, the parameters cell, the
saved notebook and the error reporting are unchanged: only the kernel process is made
differently.

Isolation is that of a new kernel: each notebook runs in its own fresh fork of the zygote, which
never runs notebook code, so no variable, module attribute, option or figure of one notebook is
seen by another (``tests/unit/test_kernelpool.py``). The zygote also imports the library's
chapter, input and presentation modules (:mod:`analysis.book.warmkernel`): importing them has no
side effect beyond defining them (none reads the environment, an option or a file at import;
``test_kernelpool`` checks), and every function reads the job's environment (catalogue root,
declared inputs) when the notebook calls it, in the kernel.

Clean-up: the zygote exits when its stdin closes or its worker dies (``PR_SET_PDEATHSIG``),
and every kernel dies with its zygote (the same). The zygote stays in the build's process
group, so a signal to the group stops it and so its kernels. Kernels run in their own session,
as jupyter_client starts them. The zygote ignores SIGINT; kernels get the default handlers.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

#: Environment of the zygote (and so of every kernel before its job's variables are applied):
#: the hash seed is fixed when Python starts, so it must be set here, as the build sets it for
#: kernels.
ZYGOTE_ENV = {"PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", "SOURCE_DATE_EPOCH": "0"}

_PR_SET_PDEATHSIG = 1
#: The zygote's program: :mod:`analysis.book.warmkernel` imports the library's chapter, input
#: and presentation modules before it serves (this module alone preloads only third-party ones).
ZYGOTE_MODULE = "analysis.book.warmkernel"


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits (no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))


# --------------------------------------------------------------------------- the zygote
def _preload() -> list[str]:
    """Import the heavy libraries once (only third-party ones, never ``analysis``); the names
    of any that failed (then the kernel imports them itself, as without a zygote)."""
    try:
        import geopandas  # noqa: F401
        import ipykernel.ipkernel  # noqa: F401
        import ipykernel.kernelapp  # noqa: F401
        import IPython  # noqa: F401
        import jupytext  # noqa: F401
        import matplotlib.colors  # noqa: F401
        import matplotlib.pyplot  # noqa: F401
        import matplotlib.ticker  # noqa: F401
        import matplotlib_inline.backend_inline  # noqa: F401
        import numpy  # noqa: F401
        import pandas  # noqa: F401
        import pandera.pandas  # noqa: F401
        import patsy  # noqa: F401
        import pyproj  # noqa: F401
        import scipy.interpolate  # noqa: F401
        import scipy.linalg  # noqa: F401
        import scipy.optimize  # noqa: F401
        import scipy.sparse  # noqa: F401
        import scipy.special  # noqa: F401
        import scipy.stats  # noqa: F401
        import shapely  # noqa: F401
        import statsmodels.api  # noqa: F401
        import statsmodels.formula.api  # noqa: F401
        import yaml  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - the kernels import what is missing themselves
        return [repr(exc)]
    return []


#: The region variable :mod:`analysis.core.geo` reads when the zygote imports it: a kernel forked
#: from the zygote must be for the same region (a pool serves one build, hence one region).
ENV_REGION = "ANALYSIS_REGION"


def _take_job(request: dict[str, Any]) -> None:
    """In a child forked from the zygote: default signals, its own session (as jupyter_client
    starts kernels, start_new_session: Ctrl-C in the terminal reaches the build, not the kernel,
    and the scheduler's autogroups treat it as a process started by Popen), the job's
    environment (for the zygote's region only), folder and log. The zygote's pipes are fds 0 and
    1; they are replaced (``dup2``) by /dev/null and the job's log, so the worker never reads a
    child's output as a reply."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setsid()
    die_with_parent()
    zygote_region = os.environ.get(ENV_REGION)
    os.environ.clear()
    os.environ.update(request["env"])
    if os.environ.get(ENV_REGION) != zygote_region:
        # the preloaded library took its region from the zygote's environment
        raise RuntimeError(f"{ENV_REGION}={os.environ.get(ENV_REGION)!r} for this job, but "
                           f"the zygote was started for {zygote_region!r}")
    # ipykernel exits when this parent (the zygote) goes, as it does for its launcher's
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    os.chdir(request.get("cwd") or os.getcwd())
    null = os.open(os.devnull, os.O_RDONLY)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    for fd in (null, log):
        if fd > 2:
            os.close(fd)


def _exit_child(code: int) -> None:
    """End a forked child (kernel or call) with ``code``, its output flushed to the job's log and
    nothing of the zygote's run (no atexit handlers, no buffers of the parent written twice)."""
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: take the job's environment and run ipykernel until it shuts down.

    The zygote's pipes are fds 0 and 1; they are replaced (``dup2``) by /dev/null and the job's
    kernel log, so the worker never reads a kernel's output as a reply.
    """
    code = 1
    try:
        _take_job(request)
        # as `python -m ipykernel_launcher -f <file>`: that drops the '' of -m from sys.path
        if sys.path and sys.path[0] == "":
            del sys.path[0]
        import ipykernel_launcher
        from ipykernel import kernelapp

        sys.argv = [ipykernel_launcher.__file__, "-f", request["connection_file"]]
        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001 - the kernel's log holds the traceback
        import traceback

        traceback.print_exc()
    finally:
        _exit_child(code)


def environment(names: list[str]) -> dict[str, Any]:
    """What a forked job sees: the variables ``names`` of its environment and its folder (a
    call of :data:`CALLS`, e.g. for checking a job's environment)."""
    return {"env": {n: os.environ.get(n) for n in names}, "cwd": os.getcwd()}


#: The functions a request may name in ``"call"`` (:meth:`Zygote.call`); the zygote's program
#: adds its own (:mod:`analysis.book.warmkernel`: the build's shared-data preparation).
CALLS: dict[str, Callable[..., Any]] = {"environment": environment}


def _run_call(request: dict[str, Any], calls: dict[str, Callable[..., Any]]) -> None:
    """In the forked child: run ``calls[request["call"]]`` with ``request["kwargs"]`` in the
    job's environment and folder, write its JSON result to ``request["result"]`` and exit: work
    that shares the zygote's imports without being a notebook. If it raises, no result is
    written and the traceback goes to ``request["log"]``."""
    code = 1
    try:
        _take_job(request)
        result = calls[request["call"]](**request.get("kwargs", {}))
        tmp = f"{request['result']}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(result, fh)
        os.replace(tmp, request["result"])
        code = 0
    except BaseException:  # noqa: BLE001 - the log holds the traceback; no result is written
        import traceback

        traceback.print_exc()
    finally:
        _exit_child(code)


def serve(stdin: IO[bytes], stdout: IO[bytes],
          calls: dict[str, Callable[..., Any]] | None = None) -> None:
    """The zygote's loop: preload, say ready, then fork one kernel per request line (or, for a
    request naming a ``"call"``, a child that runs that function of ``calls``, default
    :data:`CALLS`)."""
    calls = CALLS if calls is None else calls
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    die_with_parent()
    failed = _preload()
    stdout.write(json.dumps({"ready": True, "pid": os.getpid(), "failed": failed}).encode()
                 + b"\n")
    stdout.flush()
    for line in stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            if "call" in request:
                _run_call(request, calls)
            _become_kernel(request)
        stdout.write(json.dumps({"pid": pid}).encode() + b"\n")
        stdout.flush()


# --------------------------------------------------------------------------- worker side
class ForkedKernel:
    """A kernel process forked by the zygote, with the part of ``subprocess.Popen``'s interface
    that jupyter_client's provisioner uses (its exit is watched through a pidfd)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self._fd, self.returncode = None, 0

    def _exited(self, timeout: float | None) -> bool:
        if self.returncode is not None:
            return True
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if ready:
            self.returncode = 0  # the zygote reaps its children; the status is not seen here
            os.close(self._fd)
            self._fd = None
        return self.returncode is not None

    def poll(self) -> int | None:
        self._exited(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._exited(timeout):
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
        return 0

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._fd, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    """The worker's handle on its zygote process: started once, restarted if it died."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self._env = env
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._lock = threading.Lock()
        self.failed: list[str] = []

    def start(self) -> None:
        """Start the zygote (it preloads in the background until the first kernel is asked)."""
        if self._proc is not None and self._proc.poll() is None:
            return
        env = {**(self._env if self._env is not None else os.environ), **ZYGOTE_ENV}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", ZYGOTE_MODULE], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self._ready = False

    def _read(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError("the kernel zygote exited")
        return json.loads(line)

    def _ensure_ready(self) -> None:
        self.start()
        if not self._ready:
            self.failed = self._read()["failed"]
            self._ready = True

    def wait_ready(self) -> list[str]:
        """Block until the zygote has imported everything (start it if needed); the names of
        the imports that failed."""
        with self._lock:
            try:
                self._ensure_ready()
            except (OSError, RuntimeError, ValueError):
                self.close()  # the next spawn starts a new one
            return self.failed

    def _fork(self, request: dict[str, Any]) -> ForkedKernel:
        with self._lock:
            self.start()
            assert self._proc is not None and self._proc.stdin is not None
            try:
                self._ensure_ready()
                self._proc.stdin.write(json.dumps(request).encode() + b"\n")
                self._proc.stdin.flush()
                return ForkedKernel(int(self._read()["pid"]))
            except (OSError, RuntimeError, ValueError) as exc:
                self.close()
                raise RuntimeError(f"the kernel zygote failed: {exc}") from exc

    def spawn(self, connection_file: str, env: dict[str, str], cwd: str | None,
              log: str) -> ForkedKernel:
        """Fork a kernel for ``connection_file`` with the job's ``env``, ``cwd`` and ``log``."""
        return self._fork({"connection_file": connection_file, "env": dict(env), "cwd": cwd,
                           "log": log})

    def call(self, target: str, kwargs: dict[str, Any], env: dict[str, str], cwd: str | None,
             log: str, result: str) -> ForkedKernel:
        """Fork a child that runs the zygote's function ``target`` (a name in its ``calls``,
        :func:`serve`) with ``kwargs`` (JSON) in
        the job's ``env`` and ``cwd``, its output in ``log``, and writes the function's JSON
        result to the file ``result`` (absent if it raised: the traceback is in ``log``). Wait
        for the returned process to end."""
        return self._fork({"call": target, "kwargs": kwargs, "env": dict(env), "cwd": cwd,
                           "log": log, "result": result})

    def close(self) -> None:
        """Stop the zygote (its kernels die with it)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin:
                proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(OSError):
            if proc.stdout:
                proc.stdout.close()


_zygote: Zygote | None = None
#: Where a forked kernel's stdout and stderr go (the job's kernel log), set per job.
kernel_log = {"path": os.devnull}


def start_worker_zygote() -> None:
    """ProcessPoolExecutor initializer: start this worker's zygote. The worker itself is made
    to die with the build process (``PR_SET_PDEATHSIG``), so a build killed by a signal leaves
    no worker, zygote or kernel behind."""
    global _zygote
    die_with_parent()
    _zygote = Zygote()
    _zygote.start()


def ensure_zygote() -> Zygote:
    """This process's zygote, started now if it has none, *without* tying this process to its
    parent (a Dask worker: the plugin of :func:`analysis.book.dask_executor.warm_kernels` calls
    it in the worker's main thread, whose life the zygote's ``PR_SET_PDEATHSIG`` follows). The
    zygote still ends with this process (its stdin closes)."""
    global _zygote
    if _zygote is None:
        _zygote = Zygote()
        _zygote.start()
    return _zygote


def wait_worker_zygote() -> list[str]:
    """A no-op job for a new worker: return once its zygote is ready (so a pool is warm before
    the first notebook is handed to it)."""
    return _zygote.wait_ready() if _zygote is not None else []


def worker_zygote() -> Zygote | None:
    """This process's zygote, if :func:`start_worker_zygote` ran here."""
    return _zygote


def stop_worker_zygote() -> None:
    """Stop this process's zygote, if any."""
    global _zygote
    if _zygote is not None:
        _zygote.close()
        _zygote = None


_manager_class: type | None = None


def kernel_manager_class() -> type:
    """Papermill's kernel manager for warm kernels (``kernel_manager_class=`` of
    ``papermill.execute_notebook``): a jupyter_client ``AsyncKernelManager`` that launches its
    kernel by forking this worker's zygote; it writes the connection file and talks to the
    kernel exactly as to one it started itself. Without a zygote it starts kernels the
    ordinary way. (Built on first use: jupyter_client is not imported by a build that executes
    nothing.)"""
    global _manager_class
    if _manager_class is None:
        from jupyter_client.manager import AsyncKernelManager

        class WarmKernelManager(AsyncKernelManager):
            async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
                zygote = worker_zygote()
                if zygote is None:
                    await super()._async_launch_kernel(kernel_cmd, **kw)
                    return
                assert self.provisioner is not None
                t0 = time.perf_counter()
                # papermill runs in the job's folder (its cwd=): a kernel started by Popen
                # inherits it
                cwd = str(kw.get("cwd") or os.getcwd())
                proc = zygote.spawn(self.connection_file, kw.get("env") or dict(os.environ),
                                    cwd, kernel_log["path"])
                prov: Any = self.provisioner
                prov.process, prov.pid, prov.pgid = proc, proc.pid, None
                prov.cwd = cwd
                self.log.debug("forked kernel %s in %.3f s", proc.pid, time.perf_counter() - t0)
                self._reconcile_connection_info(prov.connection_info)

        _manager_class = WarmKernelManager
    return _manager_class


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
