import json

import pandas as pd
import pytest

from mipnn.experiments import ResultStore, param_grid, provenance, run_key, run_sweep, write_summary

CALLS = []


def square(x, seed):
    CALLS.append((x, seed))
    return {"value": x * x + seed, "nested": {"twice": 2 * x}}


class Interrupt(Exception):
    pass


def test_param_grid_and_key():
    grid = param_grid(x=[1, 2], seed=[0])
    assert grid == [{"seed": 0, "x": 1}, {"seed": 0, "x": 2}]
    assert run_key({"a": 1, "b": 2}) == run_key({"b": 2, "a": 1})
    assert run_key({"a": 1}) != run_key({"a": 2})
    with pytest.raises(ValueError, match="axis 'x'"):
        param_grid(x=3)


def test_sweep_writes_each_run_and_resumes_after_interrupt(tmp_path):
    path = tmp_path / "runs.jsonl"
    grid = param_grid(x=[1, 2, 3, 4], seed=[0])
    CALLS.clear()

    def flaky(x, seed):
        if x == 3:
            raise Interrupt("simulated kill")
        return square(x, seed)

    with pytest.raises(Interrupt):
        run_sweep(flaky, grid, path, progress=False)
    # the two finished runs are on disk
    assert len(ResultStore(path).records()) == 2
    # a write cut off half-way (e.g. power loss) is tolerated and the run redone
    with path.open("a") as fh:
        fh.write('{"key": "trunc')
    CALLS.clear()
    df = run_sweep(square, grid, path, progress=False)
    assert CALLS == [(3, 0), (4, 0)]  # nothing recomputed
    assert list(df["x"]) == [1, 2, 3, 4]
    assert list(df["value"]) == [1, 4, 9, 16]
    assert list(df["nested.twice"]) == [2, 4, 6, 8]
    # running again computes nothing
    CALLS.clear()
    df2 = run_sweep(square, grid, path, progress=False)
    assert CALLS == [] and df2.equals(df)
    recs = ResultStore(path).records()
    assert len(recs) == 4
    prov = recs[0]["provenance"]
    assert prov["versions"]["pyomo"] and prov["versions"]["highs"] and "hostname" in prov
    assert recs[0]["params"] == {"seed": 0, "x": 1} and recs[0]["wall_time"] >= 0


def test_parallel_sweep(tmp_path):
    path = tmp_path / "par.jsonl"
    df = run_sweep(square, param_grid(x=[1, 2, 3], seed=[1]), path, n_jobs=2, progress=False)
    assert sorted(df["value"]) == [2, 5, 10]


def test_parallel_sweep_of_solves_after_a_solve_in_the_parent(tmp_path):
    # regression: forked workers inherited the parent's HiGHS thread pool (without its threads) and hung in their
    # first MIP solve; the pool now spawns its workers
    from mipnn.experiments.adult import run_experiment

    # work-limited (10 nodes; these end optimal within them), so that a loaded machine cannot leave a run without an
    # incumbent; the time limit only guards against the hang
    opts = {"mip_max_nodes": 10}
    run_experiment("max_correct", 1, 40, 2, time_limit=30.0, solver_options=opts)
    grid = [dict(objective="max_correct", P=1, N=40, random_state=s, time_limit=30.0, solver_options=opts)
            for s in (0, 1)]
    df = run_sweep(run_experiment, grid, tmp_path / "mip.jsonl", n_jobs=2, progress=False)
    assert len(df) == 2 and df["train_acc"].notna().all()


def test_run_function_must_return_dict(tmp_path):
    with pytest.raises(TypeError, match="dict"):
        run_sweep(lambda x: x, [{"x": 1}], tmp_path / "bad.jsonl", progress=False)


def test_bad_n_jobs(tmp_path):
    with pytest.raises(ValueError, match="n_jobs"):
        run_sweep(square, [], tmp_path / "x.jsonl", n_jobs=0)


def test_write_summary(tmp_path):
    path = write_summary("00_demo", {"accuracy": 0.5, "table": pd.DataFrame({"a": [1]}).to_dict("records")},
                         {"profile": "default"})
    data = json.loads(path.read_text())
    assert data["accuracy"] == 0.5 and data["parameters"] == {"profile": "default"}
    assert data["provenance"]["versions"]["numpy"]
    assert "timestamp" in provenance()
    assert all("architecture" in lib for lib in provenance()["blas"])


def test_summary_is_byte_stable_and_volatile_provenance_goes_to_the_sidecar(monkeypatch):
    """Re-running with the same numbers leaves the tracked summary byte-identical, even when the commit, host,
    clock and timings differ; those go to the untracked sidecar."""
    import importlib

    from mipnn.experiments.summary import sidecar_path

    prov_mod = importlib.import_module("mipnn.experiments.provenance")

    first = write_summary("00_demo", {"accuracy": 0.5}, {"profile": "default"}, volatile={"solve_s": 1.25})
    before = first.read_bytes()
    real = prov_mod.provenance

    def other_run():
        out = real()
        out.update(git_commit="0" * 40, hostname="elsewhere", timestamp="2000-01-01T00:00:00+00:00")
        return out

    monkeypatch.setattr(prov_mod, "provenance", other_run)
    second = write_summary("00_demo", {"accuracy": 0.5}, {"profile": "default"}, volatile={"solve_s": 9.75})
    assert second.read_bytes() == before
    tracked = json.loads(before)
    assert not set(prov_mod.VOLATILE_KEYS) & set(tracked["provenance"]), "volatile keys in a tracked summary"
    assert tracked["provenance"]["versions"]["numpy"]
    keys = ("internal_api", "version", "architecture")
    blas = [tuple(str(lib[k]) for k in keys) for lib in tracked["provenance"]["blas"]]
    assert blas == sorted(blas)  # not in load order, which differs between processes
    side = json.loads(sidecar_path(second).read_text())
    assert side["git_commit"] == "0" * 40 and side["hostname"] == "elsewhere" and side["volatile"] == {"solve_s": 9.75}
    assert sidecar_path(second).name == "summary.provenance.json"


def test_gitignore_keeps_the_sidecar_untracked():
    from mipnn.paths import REPO_ROOT

    assert "results/*/*.provenance.json" in (REPO_ROOT / ".gitignore").read_text().splitlines()


def test_write_summary_suffix_keeps_the_default_summary(tmp_path):
    default = write_summary("00_demo", {"accuracy": 0.5}, {"profile": "default"})
    session = write_summary("00_demo", {"accuracy": 0.9}, {"profile": "session"}, suffix="_session")
    assert default.name == "summary.json" and session.name == "summary_session.json"
    assert json.loads(default.read_text())["accuracy"] == 0.5  # not overwritten by the other profile
    with pytest.raises(ValueError, match="suffix"):
        write_summary("00_demo", {}, {}, suffix="/../x")


def _square(x):
    return {"y": x * x, "ratio": float("inf") if x == 0 else 1.0 / x, "missing": float("nan")}


def test_an_unreadable_line_is_skipped_with_a_warning_and_the_run_redone(tmp_path):
    path = tmp_path / "runs.jsonl"
    run_sweep(_square, [{"x": 1}, {"x": 2}], path, progress=False)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(lines[0] + b"\n" + b"\xff\xfe not json\n" + lines[1] + b"\n")   # a corrupt middle line
    with pytest.warns(UserWarning, match="line 2 is not valid UTF-8 JSON"):
        df = run_sweep(_square, [{"x": 1}, {"x": 2}, {"x": 3}], path, progress=False)
    assert list(df["y"]) == [1, 4, 9]


def test_non_finite_floats_come_back_as_floats(tmp_path):
    df = run_sweep(_square, [{"x": 0}], tmp_path / "runs.jsonl", progress=False)
    again = ResultStore(tmp_path / "runs.jsonl").to_frame()
    for frame in (df, again):
        assert frame["ratio"].iloc[0] == float("inf") and pd.isna(frame["missing"].iloc[0])
        assert isinstance(frame["ratio"].iloc[0], float)


def _clashing(x):
    return {"x": x + 1}


def _unserialisable(x):
    return {"y": object()}


def test_result_keys_may_not_overwrite_parameters(tmp_path):
    with pytest.raises(ValueError, match=r"result keys \['x'\] clash"):
        run_sweep(_clashing, [{"x": 1}], tmp_path / "runs.jsonl", progress=False)
    assert not (tmp_path / "runs.jsonl").exists() or ResultStore(tmp_path / "runs.jsonl").records() == []


def _flattened_clash(x):
    return {"a": {"b": x}, "a.b": -1}


def _nested_param_clash(**params):
    return {"cfg": {"n": 1}, "ok": 1}


def test_flattened_result_keys_may_not_clash(tmp_path):
    with pytest.raises(ValueError, match=r"result keys \['a.b'\] occur twice"):
        run_sweep(_flattened_clash, [{"x": 1}], tmp_path / "runs.jsonl", progress=False)
    assert not (tmp_path / "runs.jsonl").exists() or ResultStore(tmp_path / "runs.jsonl").records() == []
    # a nested result that flattens onto a parameter's column is refused too
    with pytest.raises(ValueError, match=r"result keys \['cfg.n'\] clash"):
        run_sweep(_nested_param_clash, [{"cfg.n": 1}], tmp_path / "runs2.jsonl", progress=False)


def test_an_unserialisable_result_is_kept_as_text(tmp_path):
    with pytest.warns(UserWarning, match="not JSON-serialisable"):
        df = run_sweep(_unserialisable, [{"x": 1}], tmp_path / "runs.jsonl", progress=False)
    assert df["y"].iloc[0].startswith("<object object")


def test_a_run_the_local_workers_cannot_load_is_refused_before_any_run(tmp_path, monkeypatch):
    # before: a lambda gave a raw pickling error; a function of a notebook cell "worker process died (killed or out
    # of memory)", the cause only on stderr
    import sys
    import types

    with pytest.raises(ValueError, match="cannot be sent to worker processes.*define it.*executor='dask'"):
        run_sweep(lambda x: {"y": x}, [{"x": 1}, {"x": 2}], tmp_path / "a.jsonl", n_jobs=2, progress=False)

    def cell_function(x):
        return {"y": x}

    notebook_main = types.ModuleType("__main__")  # a kernel's __main__: no __file__
    cell_function.__module__, cell_function.__qualname__ = "__main__", "cell_function"
    notebook_main.cell_function = cell_function
    monkeypatch.setitem(sys.modules, "__main__", notebook_main)
    with pytest.raises(ValueError, match="notebook cell.*define it in a module.*executor='dask'"):
        run_sweep(cell_function, [{"x": 1}, {"x": 2}], tmp_path / "b.jsonl", n_jobs=2, progress=False)
    for name in ("a.jsonl", "b.jsonl"):
        assert not (tmp_path / name).exists() or ResultStore(tmp_path / name).records() == []
    # in-process (n_jobs=1) the same function runs
    assert list(run_sweep(cell_function, [{"x": 3}], tmp_path / "c.jsonl", progress=False)["y"]) == [3]
