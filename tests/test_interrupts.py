"""Ctrl-C stays Ctrl-C: a SIGINT during a HiGHS solve (or a sweep) raises KeyboardInterrupt promptly, keeps what was
finished, and stops the sweep's workers (subprocesses sent SIGINT, as a terminal or a Jupyter kernel does)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

#: A market-split MIP (Cornuéjols & Dawande): HiGHS needs far longer than these tests to prove its optimum.
HARD_MIP = textwrap.dedent('''
    import numpy as np
    from mipnn.solve import solve_matrices

    def hard_solve(time_limit=60.0):
        rng = np.random.default_rng(0)
        m, n = 4, 40
        a = rng.integers(0, 100, size=(m, n)).astype(float)
        d = np.floor(a.sum(axis=1) / 2)
        A = np.hstack([a, np.eye(m), -np.eye(m)])
        c = np.r_[np.zeros(n), np.ones(2 * m)]
        integ = np.r_[np.ones(n), np.zeros(2 * m)]
        return solve_matrices(c, A, d, d, np.zeros(n + 2 * m), np.r_[np.ones(n), np.full(2 * m, np.inf)], integ,
                              time_limit=time_limit)
''')


def _interrupt(script, tmp_path, *, after=1.5, timeout=60, header=True):
    """Run ``script`` (it prints "ready" when the work to interrupt starts), send it SIGINT ``after`` seconds
    later; return (return code, stdout, stderr, seconds from the signal to the child's ``caught_at=<time.time()>``
    print, or to its exit)."""
    path = tmp_path / "child.py"
    # Python's own SIGINT handler, as in a terminal or a Jupyter kernel: a child of a non-interactive shell's
    # background job (a CI runner, say) inherits SIGINT ignored, and Python then keeps it ignored
    prologue = "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
    path.write_text(prologue + (HARD_MIP if header else "") + textwrap.dedent(script))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=tmp_path)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "ready", line + proc.stderr.read()
        time.sleep(after)
        t0 = time.time()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=timeout)
        caught = [float(w.split("=")[1]) for w in out.split() if w.startswith("caught_at=")]
        return proc.returncode, out, err, (caught[0] if caught else time.time()) - t0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_ctrl_c_during_a_highs_solve_raises_keyboard_interrupt_and_a_sweep_keeps_its_finished_runs(tmp_path):
    # before: "SolveError: HiGHS failed numerically or internally" and the KeyboardInterrupt was lost
    rc, out, err, took = _interrupt('''
        import sys, time
        from mipnn.experiments import run_sweep
        from mipnn.experiments.store import ResultStore

        def run(i):
            if i == 1:
                print("ready", flush=True)
                hard_solve()
            return {"i2": i * i}

        if __name__ == "__main__":
            try:
                run_sweep(run, [{"i": 0}, {"i": 1}], "runs.jsonl", progress=False)
            except KeyboardInterrupt:
                caught = time.time()
                kept = [r["result"] for r in ResultStore("runs.jsonl").records()]
                print(f"caught_at={caught}", "KeyboardInterrupt", kept, flush=True)
                sys.exit(3)
    ''', tmp_path)
    assert rc == 3 and "KeyboardInterrupt [{'i2': 0}]" in out, (out, err)
    assert took < 2.5, took  # 0.1-1 s measured; generous for a loaded machine


def test_interrupting_a_parallel_sweep_stops_its_workers(tmp_path):
    # before: both workers went on computing their abandoned runs until their time limit (hours in a large profile)
    rc, out, err, took = _interrupt('''
        import os, sys, threading, time
        from pathlib import Path

        def run(i):
            Path(f"pid{i}").write_text(str(os.getpid()))
            time.sleep(120)  # a long solve
            return {"done": i}

        def alive(pid):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            return True

        def announce():
            while len(list(Path().glob("pid*"))) < 2:
                time.sleep(0.05)
            print("ready", flush=True)

        if __name__ == "__main__":
            from mipnn.experiments import run_sweep

            threading.Thread(target=announce, daemon=True).start()
            try:
                run_sweep(run, [{"i": 0}, {"i": 1}], "runs.jsonl", n_jobs=2, progress=False)
            except KeyboardInterrupt:
                # a long-lived process (a kernel) stays; its workers must not
                pids = [int(p.read_text()) for p in Path().glob("pid*")]
                t0 = time.perf_counter()
                while any(alive(p) for p in pids) and time.perf_counter() - t0 < 10:
                    time.sleep(0.1)
                print("workers alive" if any(alive(p) for p in pids) else "workers gone",
                      round(time.perf_counter() - t0, 1), flush=True)
                sys.exit(3)
    ''', tmp_path, after=0.2, timeout=120, header=False)
    assert rc == 3 and "workers gone" in out, (out, err)
