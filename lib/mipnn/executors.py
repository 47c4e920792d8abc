"""Where independent tasks run: worker processes on this machine, or a Dask cluster (from a laptop to Slurm).

One implementation serves every parallel loop of the package — the sweeps of :func:`mipnn.experiments.run_sweep`
and the per-neuron MILPs of one layer in :func:`mipnn.relu.fit_layer_weights`. An *executor spec* names where:

* ``"local"`` — spawned worker processes on this machine, one single-process pool per worker (``n_jobs``
  of them). A worker that dies (killed, out of memory) loses only its task: the task goes back to the queue once,
  on a fresh worker; a task that loses its worker twice ends the loop with an error naming it. Workers end when
  this process ends, ``kill -9`` included (each watches its parent).
* ``"dask"`` — a Dask ``LocalCluster`` started here: ``n_jobs`` worker processes with one thread each, on
  127.0.0.1; stopped when the executor closes (its workers also watch this process and end with it).
* ``"tcp://host:port"`` — an existing Dask scheduler (``dask scheduler`` + ``dask worker``, or a
  ``dask_jobqueue.SLURMCluster``'s address). Dask reschedules a task whose worker died; after the scheduler's
  ``distributed.scheduler.allowed-failures`` deaths (default 3) the task fails with ``KilledWorker``, which ends
  the loop naming it. A scheduler that goes away ends the loop with an error that says so.

Only the calling process handles results (``on_done``), one by one as they finish, so a sweep's store has a single
writer whatever the executor. Tasks must be picklable: module-level functions and plain data.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import socket
import struct
import threading
import time
import warnings
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .validation import EXECUTORS, check_executor, check_number

__all__ = ["EXECUTORS", "check_executor", "open_executor", "LocalExecutor", "DaskExecutor", "shared_executor",
           "close_shared_executors", "worker_info"]


#: How long to wait for a Dask scheduler to answer at its address.
CONNECT_TIMEOUT = "10s"
#: A Dask message starts with its length (8 bytes); a scheduler's first one, its handshake, is far below this.
_MAX_HANDSHAKE = 1 << 24


def worker_info() -> dict[str, Any]:
    """Where a task ran: host name and process id (recorded in a sweep's provenance)."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def _task_label(key) -> str:
    return f"task {key!r}"


def _call(fn, args):
    """Run one task in a worker: its value, its wall time and where it ran."""
    t0 = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - t0, worker_info()


def _loaded(fn) -> None:  # pragma: no cover - runs in the worker processes
    """Nothing: receiving ``fn`` has imported its module in the worker (see :meth:`LocalExecutor._worker`)."""


def _exit_with_parent(parent: int) -> None:  # pragma: no cover - runs in the worker processes
    """End this worker as soon as process ``parent`` is gone (``kill -9`` included), so that no orphan keeps
    computing tasks whose results nobody will receive."""
    def watch():
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            if os.getppid() == 1 and parent != 1:  # re-parented to init: the parent is gone
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="mipnn-parent-watch", daemon=True).start()


class LocalExecutor:
    """``n_jobs`` spawned worker processes on this machine, each its own one-process pool (module docstring)."""

    spec = "local"

    def __init__(self, n_jobs: int = 1):
        check_number("n_jobs", n_jobs, low=1, integer=True)
        self.n_jobs = int(n_jobs)
        self._workers: list[ProcessPoolExecutor | None] = [None] * self.n_jobs

    def _worker(self, i, warm: Callable | None = None):
        """Worker ``i``, started if needed; ``warm``: a fresh worker first loads this function (importing its
        module), so that a task's timeout does not count the worker's start-up."""
        if self._workers[i] is None:
            # spawn, not fork: a forked worker inherits the parent's HiGHS thread pool without its threads and
            # hangs in its first solve when the parent has solved anything before (seen in notebooks)
            self._workers[i] = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                   initializer=_exit_with_parent, initargs=(os.getpid(),))
            if warm is not None:
                self._workers[i].submit(_loaded, warm).result()
        return self._workers[i]

    def run(self, fn: Callable, tasks: Iterable[tuple[Hashable, tuple]], on_done: Callable,
            label: Callable[[Hashable], str] = _task_label, timeout: float | None = None,
            on_timeout: Callable[[Hashable], None] | None = None) -> None:
        """Run ``fn(*args)`` for every ``(key, args)`` and call ``on_done(key, value, wall, where)`` in this process
        as each finishes (``where``: host, pid and executor of the worker). An exception of ``fn`` ends the loop (no
        new task starts; the running ones finish and are handed to ``on_done``) and is raised. ``label(key)``
        names a task in messages.

        ``timeout`` (seconds, ``None``: none): a task still running that long after it started in its worker
        (a fresh worker is started and has loaded ``fn`` first) is stopped with its worker process,
        ``on_timeout(key)`` is called and the loop goes on with the others; without ``on_timeout`` the loop then
        ends with :class:`TimeoutError` naming the tasks."""
        check_number("timeout", timeout, low=0.0, low_open=True, allow_none=True)
        queue = collections.deque(tasks)
        lost: dict[Hashable, int] = {}
        busy: dict = {}  # future -> (worker slot, key, args)
        started: dict = {}  # future -> perf_counter when it was handed to its worker
        timed_out: list = []
        failure: BaseException | None = None
        clean = False
        try:
            while busy or (queue and failure is None):
                taken = {slot for slot, _, _ in busy.values()}
                for i in range(self.n_jobs):
                    if i not in taken and queue and failure is None:
                        key, args = queue.popleft()
                        fut = self._worker(i, warm=None if timeout is None else fn).submit(_call, fn, args)
                        busy[fut], started[fut] = (i, key, args), time.perf_counter()
                wait_for = None if timeout is None else max(
                    min(started[f] for f in busy) + timeout - time.perf_counter(), 0.0)
                finished, _ = wait(busy, timeout=wait_for, return_when=FIRST_COMPLETED)
                timed_out += self._stop_overdue(busy, started, finished, timeout, on_timeout)
                for fut in finished:
                    i, key, args = busy.pop(fut)
                    try:
                        value, wall, where = fut.result()
                    except BrokenProcessPool:
                        self._workers[i].shutdown(wait=False)
                        self._workers[i] = None
                        lost[key] = lost.get(key, 0) + 1
                        if lost[key] > 1:
                            failure = failure or RuntimeError(
                                f"{label(key)} was lost twice: its worker process died (killed or out of memory); "
                                "every finished one is stored, rerun to retry it")
                        else:
                            warnings.warn(f"a worker process died running {label(key)}; retrying it once on a "
                                          "fresh worker", RuntimeWarning, stacklevel=3)
                            queue.append((key, args))
                        continue
                    except BaseException as err:  # the task itself failed: start nothing new, keep the others
                        failure = failure or err
                        continue
                    on_done(key, value, wall, dict(where, executor=self.spec))
            clean = True
        finally:
            if not clean:  # interrupted (Ctrl-C, a kernel interrupt): stop the runs in flight, not just the queue
                self.close(wait=False, terminate=True)
        if failure is not None:
            raise failure
        if timed_out and on_timeout is None:
            raise TimeoutError(f"{', '.join(label(k) for k in timed_out)} ran longer than timeout={timeout:g} s and "
                               "was stopped")

    def _stop_overdue(self, busy, started, finished, timeout, on_timeout) -> list:
        """Stop (with their worker processes) the tasks of ``busy`` not in ``finished`` that have run longer than
        ``timeout`` (``None``: none do), calling ``on_timeout(key)`` for each; return their keys."""
        if timeout is None:
            return []
        now, keys = time.perf_counter(), []
        for fut in [f for f in busy if f not in finished and now - started[f] >= timeout]:
            i, key, _ = busy.pop(fut)
            self._terminate(i)
            keys.append(key)
            if on_timeout is not None:
                on_timeout(key)
        return keys

    def _terminate(self, i) -> None:
        """End worker ``i`` and the task it is running (its slot gets a fresh worker when next used)."""
        worker, self._workers[i] = self._workers[i], None
        if worker is None:
            return
        processes = list((getattr(worker, "_processes", None) or {}).values())
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        worker.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.join(timeout=5)

    def close(self, wait: bool = True, terminate: bool = False) -> None:
        """Shut the workers down; ``terminate=True`` also ends the tasks they are running (a worker left alone
        would compute its abandoned task to the end, e.g. to its time limit, in a long-lived process such as a
        Jupyter kernel)."""
        for i, worker in enumerate(self._workers):
            if worker is not None:
                processes = list((getattr(worker, "_processes", None) or {}).values()) if terminate else []
                worker.shutdown(wait=wait and not terminate, cancel_futures=True)
                for proc in processes:
                    if proc.is_alive():
                        proc.terminate()
                for proc in processes:
                    proc.join(timeout=5)
                self._workers[i] = None


def _parent_watch(parent: int):
    """Dask worker plugin: :func:`_exit_with_parent` in every worker of a ``LocalCluster`` started here."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class ParentWatch(WorkerPlugin):
        def setup(self, worker):  # pragma: no cover - runs in the Dask workers
            _exit_with_parent(parent)

    return ParentWatch()


class DaskExecutor:
    """Tasks on a Dask cluster: a ``LocalCluster`` of ``n_jobs`` single-threaded worker processes started here
    (``address=None``) or the scheduler at ``address`` (module docstring)."""

    def __init__(self, address: str | None = None, n_jobs: int = 1, *, progress_link: bool = True):
        check_number("n_jobs", n_jobs, low=1, integer=True)
        try:
            from distributed import Client, LocalCluster
        except ImportError as err:  # pragma: no cover - dask[distributed] is a dependency
            raise ImportError("executor='dask' needs dask.distributed: pip install 'dask[distributed]'") from err
        self.spec = address or "dask"
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(n_workers=int(n_jobs), threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address="127.0.0.1:0")
            self.client = Client(self._cluster)
            # workers of a cluster started here end with this process, also those the nanny restarts
            self.client.register_plugin(_parent_watch(os.getpid()), name="mipnn-parent-watch")
        else:
            _probe_scheduler(address, float(CONNECT_TIMEOUT.rstrip("s")))
            try:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as err:
                raise RuntimeError(f"no Dask scheduler answered at {address} within {CONNECT_TIMEOUT} ({err}); start "
                                   "one (dask scheduler / dask worker, or a dask_jobqueue cluster) or use "
                                   "executor='local'") from None
        if progress_link:
            print(f"Dask: {self.spec} — dashboard {self.client.dashboard_link}", flush=True)

    def run(self, fn: Callable, tasks: Iterable[tuple[Hashable, tuple]], on_done: Callable,
            label: Callable[[Hashable], str] = _task_label) -> None:
        """As :meth:`LocalExecutor.run`; Dask schedules the tasks and reschedules those whose worker died."""
        from distributed import as_completed
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

        futures = {}
        for key, args in tasks:
            fut = self.client.submit(_call, fn, args, pure=False, key=f"mipnn-{_token(key)}-{time.time_ns()}")
            futures[fut] = key
        failure: BaseException | None = None
        try:
            for fut in as_completed(futures):
                key = futures[fut]
                try:
                    value, wall, where = fut.result()
                except KilledWorker as err:
                    failure = failure or RuntimeError(
                        f"{label(key)} killed its Dask workers too often ({err}); every finished one is stored, "
                        "rerun to retry it")
                    self._cancel(futures)
                    continue
                except (FutureCancelledError, OSError) as err:
                    failure = failure or self._lost(err)
                    break
                except BaseException as err:  # the task itself failed
                    failure = failure or err
                    self._cancel(futures)
                    continue
                on_done(key, value, wall, dict(where, executor=self.spec))
        except (OSError, TimeoutError) as err:  # the scheduler went away
            failure = failure or self._lost(err)
        finally:
            self._cancel(futures)
        if failure is not None:
            raise failure

    def _lost(self, err):
        return RuntimeError(f"lost the Dask scheduler {self.spec} ({type(err).__name__}: {err}); every finished task "
                            "was handed over (a sweep's store is complete up to here), rerun to resume")

    def _cancel(self, futures):
        pending = [f for f in futures if not f.done()]
        if pending:
            try:
                self.client.cancel(pending)
            except Exception:  # noqa: BLE001 - the scheduler may be gone; nothing left to cancel then
                pass

    def close(self, wait: bool = True) -> None:
        try:
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None


def _probe_scheduler(address: str, timeout: float) -> None:
    """Before Dask's client connects to ``tcp://host:port``: something must answer there as a Dask scheduler does
    within ``timeout`` seconds. A scheduler speaks first (its handshake: an 8-byte length, then the message); an
    HTTP or other server waits for a request, which kept Dask's client waiting for minutes, or answers Dask's
    handshake with text that Dask read as a message length (``MemoryError: 3.07 EiB``). TLS addresses are left to
    Dask (the TLS handshake comes first)."""
    scheme, rest = address.split("://", 1)
    if scheme != "tcp":
        return
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        host, port = rest, "8786"  # Dask's default scheduler port
    advice = ("start one (dask scheduler / dask worker, or a dask_jobqueue cluster), check the address (the "
              "scheduler's port, not its dashboard's) or use executor='local'")
    head = b""
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as sock:
            deadline = time.monotonic() + timeout
            while len(head) < 8:
                sock.settimeout(max(deadline - time.monotonic(), 0.01))
                chunk = sock.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
    except TimeoutError:
        what = "sent nothing" if not head else f"sent only {head!r}"
        raise RuntimeError(f"no Dask scheduler answered at {address} within {timeout:g} s: a server there "
                           f"accepted the connection but {what} (a Dask scheduler greets at once; an HTTP server "
                           f"waits for a request); {advice}") from None
    except OSError as err:
        raise RuntimeError(f"no Dask scheduler answered at {address} ({type(err).__name__}: {err}); {advice}") from None
    if len(head) < 8 or not 0 < struct.unpack("Q", head)[0] < _MAX_HANDSHAKE:
        raise RuntimeError(f"no Dask scheduler answered at {address}: the server there is something else (it sent "
                           f"{head!r}, not a Dask handshake); {advice}")


def _token(key) -> str:
    import hashlib

    return hashlib.sha1(repr(key).encode()).hexdigest()[:12]


def open_executor(executor: str = "local", n_jobs: int = 1):
    """A new executor for ``executor`` (:func:`check_executor`); close it with ``.close()`` (or use it in a
    ``with contextlib.closing(...)`` block)."""
    executor = check_executor(executor)
    if executor == "local":
        return LocalExecutor(n_jobs)
    return DaskExecutor(None if executor == "dask" else executor, n_jobs)


_SHARED: dict = {}


def shared_executor(executor: str = "local", n_jobs: int = 1):
    """An executor kept alive between calls (a training run solves one layer's MILPs hundreds of times, and
    starting a worker costs about a second); a different spec or size replaces it."""
    executor = check_executor(executor)
    check_number("n_jobs", n_jobs, low=1, integer=True)
    if _SHARED.get("spec") != (executor, n_jobs):
        close_shared_executors()
        _SHARED.update(spec=(executor, n_jobs), executor=open_executor(executor, n_jobs))
    return _SHARED["executor"]


def close_shared_executors() -> None:
    """Stop the executor of :func:`shared_executor` (it is started again when needed)."""
    ex = _SHARED.pop("executor", None)
    _SHARED.clear()
    if ex is not None:
        ex.close()
