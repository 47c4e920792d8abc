"""Sweeps on Dask, with real components on 127.0.0.1 only: a LocalCluster, and a ``dask scheduler`` with
two ``dask worker`` processes started here, one of them killed mid-sweep. Everything started is stopped by pid."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from mipnn.executors import check_executor, open_executor  # noqa: E402
from mipnn.experiments import ResultStore, run_sweep  # noqa: E402

HERE = Path(__file__).parent


def square_slowly(x, pause=0.3):
    """A run of a sweep: module-level, so that the Dask workers can import it (PYTHONPATH includes tests/)."""
    time.sleep(pause)
    return {"y": x * x, "pid": os.getpid()}


def test_local_cluster_sweep_matches_the_local_executor(tmp_path):
    grid = [{"x": x, "pause": 0.05} for x in range(8)]
    local = run_sweep(square_slowly, grid, tmp_path / "local.jsonl", n_jobs=2, progress=False)
    dask = run_sweep(square_slowly, grid, tmp_path / "dask.jsonl", n_jobs=2, executor="dask", progress=False)
    assert list(dask["x"]) == list(local["x"]) and list(dask["y"]) == list(local["y"])
    records = ResultStore(tmp_path / "dask.jsonl").records()
    assert len(records) == 8 and {r["worker"]["executor"] for r in records} == {"dask"}
    assert {r["key"] for r in records} == {r["key"] for r in ResultStore(tmp_path / "local.jsonl").records()}
    # a rerun on the other executor recomputes nothing: the store is keyed by the parameters alone
    again = run_sweep(square_slowly, grid, tmp_path / "dask.jsonl", n_jobs=2, progress=False)
    assert len(ResultStore(tmp_path / "dask.jsonl").records()) == 8 and list(again["y"]) == list(local["y"])


def test_bad_executor_specs_are_named():
    for bad in ("dusk", "tcp://", 3, None):
        with pytest.raises(ValueError, match="executor must be 'local', 'dask'"):
            check_executor(bad)
    with pytest.raises(ValueError, match="executor must be"):
        run_sweep(square_slowly, [{"x": 1}], "unused.jsonl", executor="threads")


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split()[2] not in ("Z", "X")


@pytest.fixture
def dask_cluster(tmp_path):
    """A real scheduler and two workers (no nanny: the pid is the worker) on 127.0.0.1, stopped afterwards."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs = [subprocess.Popen(dask + ["--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
              "--host", "127.0.0.1", "--no-dashboard"]
    for _ in range(2):
        procs.append(subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            pids = sorted(client.run(os.getpid).values())
        assert sorted(pids) == sorted(p.pid for p in procs[1:])
        yield address, procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        assert not [p.pid for p in procs if _alive(p.pid)], "a process this test started is still running"


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc")
def test_sweep_on_a_scheduler_survives_a_killed_worker(tmp_path, dask_cluster):
    address, procs = dask_cluster
    store = tmp_path / "runs.jsonl"
    grid = [{"x": x, "pause": 0.4} for x in range(12)]
    victim = procs[1]
    killed = threading.Event()

    def kill_when_two_are_stored():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if store.exists() and len(store.read_text().splitlines()) >= 2:
                os.kill(victim.pid, signal.SIGKILL)
                killed.set()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_when_two_are_stored, daemon=True)
    killer.start()
    df = run_sweep(square_slowly, grid, store, executor=address, progress=False)
    killer.join(timeout=5)
    assert killed.is_set() and victim.wait(timeout=10) == -signal.SIGKILL
    records = ResultStore(store).records()
    assert sorted(r["params"]["x"] for r in records) == list(range(12))  # every run exactly once, none lost
    assert sorted(df["y"]) == sorted(x * x for x in range(12))
    assert {r["worker"]["executor"] for r in records} == {address}
    assert procs[2].pid in {r["result"]["pid"] for r in records}  # the survivor finished the victim's runs
    lines = store.read_text().splitlines()
    run_sweep(square_slowly, grid, store, executor=address, progress=False)  # the rerun computes nothing
    assert store.read_text().splitlines() == lines
    assert all(json.loads(line)["worker"]["host"] for line in lines)


def test_a_scheduler_that_is_not_there_is_a_clear_error(monkeypatch):
    import mipnn.executors as ex

    monkeypatch.setattr(ex, "CONNECT_TIMEOUT", "2s")
    with pytest.raises(RuntimeError, match=r"no Dask scheduler answered at tcp://127\.0\.0\.1:\d+"):
        open_executor(f"tcp://127.0.0.1:{_free_port()}", 1)


def _serve(command, port):
    """Start a server process on 127.0.0.1:``port`` and wait until it accepts connections."""
    import socket

    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


_GREETER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
while True:
    c, _ = s.accept(); c.sendall(b"HTTP/1.1 400 Bad Request\\r\\n\\r\\n"); c.close()
"""


@pytest.mark.parametrize("server", ["http", "greeter"])
def test_a_server_that_is_not_a_dask_scheduler_is_a_clear_error_within_seconds(monkeypatch, tmp_path, server):
    # before: an HTTP server at the address kept the client waiting > 90 s; a server that answers first with text
    # gave "MemoryError: 3.07 EiB" from inside Dask (its first 8 bytes read as a message length)
    import mipnn.executors as ex

    monkeypatch.setattr(ex, "CONNECT_TIMEOUT", "3s")
    port = _free_port()
    command = ([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"] if server == "http"
               else [sys.executable, "-c", _GREETER, str(port)])
    proc = _serve(command, port)
    try:
        t0 = time.perf_counter()
        match = "sent nothing" if server == "http" else r"something else \(it sent b'HTTP/1.1"
        with pytest.raises(RuntimeError, match=rf"no Dask scheduler answered at tcp://127\.0\.0\.1:{port}.*{match}"):
            open_executor(f"tcp://127.0.0.1:{port}", 1)
        assert time.perf_counter() - t0 < 3 + 2
        with pytest.raises(RuntimeError, match="no Dask scheduler answered"):
            run_sweep(square_slowly, [{"x": 1}], tmp_path / "runs.jsonl", executor=f"tcp://127.0.0.1:{port}",
                      progress=False)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert not _alive(proc.pid)
