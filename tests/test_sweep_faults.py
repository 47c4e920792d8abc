"""Sweeps survive faults: a dead worker loses only its run (retried once), a killed sweep leaves no workers."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mipnn.experiments import ResultStore, run_sweep


def dies_once(x, marker):
    """Kill its own worker process the first time it runs for x == 2 (as the OOM killer or kill -9 would)."""
    flag = Path(marker)
    if x == 2 and not flag.exists():
        flag.write_text("died once")
        os.kill(os.getpid(), signal.SIGKILL)
    return {"y": x * 10}


def dies_once_each(x, marker_dir):
    """Runs 2 and 4 each kill their own worker the first time they run."""
    flag = Path(marker_dir) / f"died-{x}"
    if x in (2, 4) and not flag.exists():
        flag.write_text("died once")
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.1)
    return {"y": x * 10}


def always_dies(x):
    if x == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.2)
    return {"y": x * 10}


def test_a_killed_worker_loses_only_its_run_which_is_retried(tmp_path):
    grid = [{"x": x, "marker": str(tmp_path / "flag")} for x in (1, 2, 3)]
    with pytest.warns(RuntimeWarning, match="retrying"):
        df = run_sweep(dies_once, grid, tmp_path / "runs.jsonl", n_jobs=2, progress=False)
    assert sorted(df["y"]) == [10, 20, 30]
    assert len(ResultStore(tmp_path / "runs.jsonl").records()) == 3


def test_only_the_run_on_the_dead_worker_is_charged(tmp_path):
    # two different runs each lose their worker once: each is retried once and the sweep completes (runs that were
    # merely queued, or in flight on the other worker, are not counted as lost)
    grid = [{"x": x, "marker_dir": str(tmp_path)} for x in range(1, 7)]
    with pytest.warns(RuntimeWarning, match="retrying it once") as caught:
        df = run_sweep(dies_once_each, grid, tmp_path / "runs.jsonl", n_jobs=2, progress=False)
    assert sorted(df["y"]) == [10, 20, 30, 40, 50, 60]
    assert sorted(str(w.message).split("'x': ")[1][0] for w in caught) == ["2", "4"]
    records = ResultStore(tmp_path / "runs.jsonl").records()
    assert sorted(r["params"]["x"] for r in records) == list(range(1, 7))  # each run stored exactly once
    run_sweep(dies_once_each, grid, tmp_path / "runs.jsonl", n_jobs=2, progress=False)  # the rerun computes nothing
    assert len(ResultStore(tmp_path / "runs.jsonl").records()) == 6


def test_a_run_that_kills_its_worker_twice_ends_the_sweep_naming_it(tmp_path):
    with pytest.raises(RuntimeError, match=r"run \{'x': 2\} was lost twice"), pytest.warns(RuntimeWarning):
        run_sweep(always_dies, [{"x": x} for x in (1, 2)], tmp_path / "runs.jsonl", n_jobs=2, progress=False)
    assert {r["params"]["x"] for r in ResultStore(tmp_path / "runs.jsonl").records()} <= {1}


def _children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "X"
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc and ps")
@pytest.mark.parametrize("executor", ["local", "dask"])
def test_kill_9_of_the_sweep_leaves_no_worker_behind(tmp_path, executor):
    if executor == "dask":
        pytest.importorskip("distributed")
    script = tmp_path / "sweep.py"
    script.write_text(textwrap.dedent(f"""
        import time
        from mipnn.experiments import run_sweep

        def slow(x):
            time.sleep(60)
            return {{"y": x}}

        if __name__ == "__main__":
            run_sweep(slow, [{{"x": x}} for x in range(4)], {str(tmp_path / 'runs.jsonl')!r}, n_jobs=2,
                      executor={executor!r}, progress=False)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path)
    try:
        deadline, workers = time.monotonic() + 60, []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.5)
            workers = [c for c in _children(proc.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()
                       and "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text()]
        assert len(workers) == 2, "the sweep did not start its two workers"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.25)
        left = [w for w in workers if _alive(w)]
        for w in left:
            os.kill(w, signal.SIGKILL)
        assert not left, f"workers {left} outlived the killed sweep"
    finally:
        if proc.poll() is None:
            proc.kill()


def _double(x):
    return {"y": 2 * x}


def test_a_second_sweep_on_the_same_store_is_refused(tmp_path):
    import fcntl

    path = tmp_path / "runs.jsonl"
    with open(tmp_path / "runs.jsonl.lock", "a+") as held:          # another sweep holds the store
        held.write("pid 12345 on elsewhere")
        held.flush()
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(RuntimeError, match=r"another sweep \(pid 12345 on elsewhere\) is writing"):
            run_sweep(_double, [{"x": 1}], path, progress=False)
        assert not path.exists()                                         # refused before any run
    df = run_sweep(_double, [{"x": 1}], path, progress=False)            # the lock is free again
    assert list(df["y"]) == [2]
    again = run_sweep(_double, [{"x": 1}, {"x": 2}], path, progress=False)  # and reusable by the next sweep
    assert list(again["y"]) == [2, 4] and len(ResultStore(path).records()) == 2


def hangs_for_zero(x, pid_dir):
    """Run 0 never returns (it records its worker's pid first); the others return at once."""
    Path(pid_dir, f"pid-{x}").write_text(str(os.getpid()))
    if x == 0:
        time.sleep(3600)
    return {"y": x * 10}


def _gone(pid, wait=5.0):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().split()[2] in ("Z", "X"):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_run_that_never_returns_is_stopped_by_run_timeout(tmp_path, n_jobs):
    # before: no per-run timeout, so one run that never returned blocked the whole sweep
    grid = [{"x": x, "pid_dir": str(tmp_path)} for x in range(4)]
    t0 = time.perf_counter()
    with pytest.warns(RuntimeWarning, match=r"1 run\(s\) stopped after run_timeout=4 s and not stored.*'x': 0"):
        df = run_sweep(hangs_for_zero, grid, tmp_path / "runs.jsonl", n_jobs=n_jobs, run_timeout=4,
                       progress=False)
    # far below the hour the stopped run would take (the timeout, plus starting workers: minutes on a busy machine)
    assert time.perf_counter() - t0 < 600
    assert sorted(df["x"]) == [1, 2, 3] and sorted(df["y"]) == [10, 20, 30]
    assert sorted(r["params"]["x"] for r in ResultStore(tmp_path / "runs.jsonl").records()) == [1, 2, 3]
    assert _gone(int((tmp_path / "pid-0").read_text())), "the worker of the stopped run is still running"
    with pytest.raises(ValueError, match="run_timeout"):
        run_sweep(hangs_for_zero, grid, tmp_path / "runs.jsonl", run_timeout=0)
    with pytest.raises(ValueError, match="run_timeout=5 needs executor='local'"):
        run_sweep(hangs_for_zero, grid, tmp_path / "other.jsonl", run_timeout=5, executor="dask")


def test_a_parameter_that_is_not_json_is_refused_by_name_before_any_run(tmp_path):
    # before: json's "Object of type function is not JSON serializable", naming nothing of ours
    calls = []
    grid = [{"x": 1, "model": object()}]
    with pytest.raises(TypeError, match=r"parameter 'model'=<object object at .*> of run .* is not JSON data"):
        run_sweep(calls.append, grid, tmp_path / "runs.jsonl", progress=False)
    assert calls == [] and not (tmp_path / "runs.jsonl").exists()
