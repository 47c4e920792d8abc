"""Benchmark (notebook 03b): Goebbels' committee of three dense nets, each trained by batch learning on its own images,
from the screened initialisations and with the tie-break on the optimal face.

The session profile of notebook 03 trains its committee from the unscreened states 4711, 4712, 4713 without a
tie-break (3 × 300 images, ≤ 50 nodes per MILP: majority vote 0.2648 on the test set). This script keeps that setting
and changes the two levers the screening and tie-break benchmarks found best: member ``m`` starts from the ``m``-th
of ``--states`` (default: 40, 14, 13, the three best states of ``bench_03_init_screening.py`` at 28×28) and every fit
keeps the optimal weights of smallest ℓ1 norm (``--tie-break l1``). Member ``m`` learns on training images
``[m·span, (m+1)·span)`` with ``span = n_batches × batch_size`` (the paper: 10 batches of 100 per member). The vote
is reported twice: of the members as trained, and, as notebook 03 does, after each member's output layer is refitted
by the post-processing LP on the first ``--lp-images`` training images (0: skip). ``--input-box R A`` widens box (9)
(hypothesis 7); any box other than the paper's (0.1, 0.1) is our lever, and the run's tag says so (``_box<R>-<A>``).

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_committee.py [--n-batches 3] [--n-jobs 2]
        [--states 40 14 13] [--tie-break l1] [--mip-nodes 50] [--input-box 0.1 0.1]

From a small start (Keras' Glorot-uniform), members picked by the screening's probe, every MILP exact (Gurobi for
the weight MILPs, which its size-limited license fits) and the printed stop rule ending Algorithm 1:

    ... bench_03_committee.py --init glorot_uniform --screen 50 --n-batches 10 --mip-nodes 0 --solver gurobi \
        --n-jobs 2 --max-iterations 50

``--screen K`` probes states 0..K-1 of ``--init`` on the first 100 training images (one LP each, seconds), keeps
the ``len(--states)`` best and writes the screen beside the store (``…_screen.csv``).

Each member is one run of a resumable store (``results/benchmarks/bench_03_committee_<tag>.jsonl``: its weights,
test accuracy and per-batch history), written the moment it finishes; the summary (members and majority vote on the
10,000 test images) goes to ``bench_03_committee_<tag>.json``.

A member also writes its progress after every batch (network, history, elapsed time) to
``results/benchmarks/checkpoints/bench_03_committee_m<member>_s<state>_<hash>.json``; a rerun continues after the
last batch there, so stopping the script loses at most the batch in flight of each member. Committed with the store,
the checkpoints carry a long run over to another session.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time

import numpy as np

from mipnn.backends import BACKENDS
from mipnn.experiments import provenance, run_sweep, to_jsonable
from mipnn.paths import benchmarks_dir
from mipnn.relu import (
    INPUT_BOX,
    TIE_BREAKS,
    batch_learning,
    check_init,
    check_input_box,
    committee_predict,
    dense_structures,
    init_network,
    postprocess_last_layer,
)

SIZES = (784, 8, 8, 8, 10)


def _data():
    from mipnn.data import load_mnist, scale_pixels

    tr, te = load_mnist("train"), load_mnist("test")
    X, Xt = (scale_pixels(d.images.reshape(len(d), -1)) for d in (tr, te))
    return X, tr.labels.astype(int), Xt, te.labels.astype(int)


def _screened_states(init, n_states, k):
    """The ``k`` best of states ``0..n_states-1`` of ``init`` by the screening's probe (the output layer refitted by
    the LP on the start's hidden features) on the first 100 training images, and the screen itself."""
    from mipnn.relu import pick_candidates, screen_initialisations

    X, y, _, _ = _data()
    screen = screen_initialisations(dense_structures(SIZES), X[:100], y[:100], range(n_states), init=[init],
                                    progress=False)
    return [r for _, r in pick_candidates(screen, k, by="probe_accuracy")], screen


def checkpoint_path(params: dict):
    """Where the member run ``params`` keeps its progress (one file per run, named by a hash of its parameters)."""
    key = hashlib.sha256(json.dumps(to_jsonable(params), sort_keys=True).encode()).hexdigest()[:12]
    return benchmarks_dir() / "checkpoints" / f"bench_03_committee_m{params['member']}_s{params['state']}_{key}.json"


def run_member(state, member, n_batches, batch_size, mip_nodes, time_limit, max_iterations, tie_break,
               input_box=INPUT_BOX, solver="highs", init="uniform"):
    """Batch learning of one committee member on its own images; its weights and test accuracy.

    After every batch the member's network, history and elapsed time are written to :func:`checkpoint_path`
    (atomically), and a rerun continues after the last batch written there (``batch_learning(start_batch=…)``
    follows the uninterrupted run), so a stopped member loses at most the batch in flight; commit the checkpoints
    with the store to carry a member over to another session."""
    params = dict(state=state, member=member, n_batches=n_batches, batch_size=batch_size, mip_nodes=mip_nodes,
                  time_limit=time_limit, max_iterations=max_iterations, tie_break=tie_break,
                  input_box=list(input_box), solver=solver, init=init)
    ckpt = checkpoint_path(params)
    X, y, Xt, yt = _data()
    span = n_batches * batch_size
    part = slice(member * span, (member + 1) * span)
    net = init_network(dense_structures(SIZES), init=init, random_state=state)
    done, rows, before = 0, [], 0.0
    if ckpt.exists():
        saved = json.loads(ckpt.read_text())
        if saved["params"] != to_jsonable(params):
            raise RuntimeError(f"{ckpt} holds another run's progress ({saved['params']}); move it away")
        done, rows, before = saved["batches_done"], saved["history"], saved["seconds"]
        net.thetas = [np.asarray(t, dtype=np.float64) for t in saved["thetas"]]
        print(f"member {member} (state {state}) resumes after batch {done} of {n_batches} from {ckpt.name}")
    t0 = time.perf_counter()

    def save(batch, network, row):
        rows.append(to_jsonable(row))
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        tmp = ckpt.with_suffix(".tmp")
        tmp.write_text(json.dumps({"params": to_jsonable(params), "batches_done": batch, "history": rows,
                                   "seconds": before + time.perf_counter() - t0,
                                   "thetas": [t.tolist() for t in network.thetas]}, sort_keys=True))
        os.replace(tmp, ckpt)

    if done < n_batches:
        net, _ = batch_learning(net, X[part], y[part], batch_size=batch_size, n_batches=n_batches, X_test=Xt,
                                y_test=yt, max_iterations=max_iterations, time_limit=time_limit,
                                options=None if mip_nodes is None else {"mip_max_nodes": mip_nodes},
                                tie_break=tie_break, input_box=tuple(input_box), progress=False, solver=solver,
                                start_batch=done, callback=save)
    return {"thetas": [t.tolist() for t in net.thetas], "test_accuracy": net.accuracy(Xt, yt),
            "train_accuracy": net.accuracy(X[part], y[part]), "history": rows,
            "member_seconds": before + time.perf_counter() - t0}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--states", type=int, nargs="+", default=[40, 14, 13])
    ap.add_argument("--screen", type=int, default=0, metavar="K",
                    help="pick the members' states by the probe screening instead: the len(--states) best of states "
                         "0..K-1 of --init by probe accuracy on the first 100 training images (0: use --states)")
    ap.add_argument("--n-batches", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--mip-nodes", type=int, default=50, help="node cap per MILP (0: exact up to the time limit)")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--max-iterations", type=int, default=10)
    ap.add_argument("--tie-break", choices=TIE_BREAKS, default="l1")
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--lp-images", type=int, default=60000)
    ap.add_argument("--solver", choices=BACKENDS, default="highs",
                    help="backend of the weight MILPs (notebook 03b, hypothesis 10); gurobipy's license fits them")
    ap.add_argument("--init", default="uniform",
                    help="the members' random start (mipnn.relu.INITS): uniform, glorot_uniform or uniform:<a>")
    ap.add_argument("--input-box", type=float, nargs=2, default=list(INPUT_BOX), metavar=("R", "A"),
                    help="box (9) is (0.1, 0.1); a wider box is our lever (hypothesis 7), not the paper's method")
    args = ap.parse_args()
    box = check_input_box(tuple(args.input_box))
    args.input_box = list(box)
    args.init = check_init(args.init)
    if args.screen < 0:
        raise SystemExit(f"--screen must be >= 0 (0: use --states), got {args.screen}")
    screen = None
    if args.screen:
        args.states, screen = _screened_states(args.init, args.screen, len(args.states))
        print(f"probe screening of {args.screen} {args.init} states picked {args.states}")
    nodes = args.mip_nodes = None if args.mip_nodes <= 0 else args.mip_nodes  # None: exact, as stored
    tag = (f"{len(args.states)}x{args.n_batches}x{args.batch_size}_nodes{nodes or 'exact'}_tb{args.tie_break}_s"
           + "-".join(map(str, args.states)) + ("" if box == INPUT_BOX else f"_box{box[0]:g}-{box[1]:g}")
           + ("" if args.solver == "highs" else f"_{args.solver}")
           + ("" if args.init == "uniform" else "_" + args.init.replace(":", ""))
           + ("" if args.max_iterations == 10 else f"_it{args.max_iterations}"))
    # the paper's box and HiGHS keep the stored runs' keys, so an earlier store resumes
    extra = ({} if box == INPUT_BOX else {"input_box": list(box)}) | (
        {} if args.solver == "highs" else {"solver": args.solver}) | (
        {} if args.init == "uniform" else {"init": args.init})
    grid = [dict(state=s, member=m, n_batches=args.n_batches, batch_size=args.batch_size, mip_nodes=nodes,
                 time_limit=args.time_limit, max_iterations=args.max_iterations, tie_break=args.tie_break, **extra)
            for m, s in enumerate(args.states)]
    if screen is not None:
        screen.to_csv(benchmarks_dir() / f"bench_03_committee_{tag}_screen.csv", index=False, float_format="%.4f")
    runs = run_sweep(run_member, grid, benchmarks_dir() / f"bench_03_committee_{tag}.jsonl", n_jobs=args.n_jobs,
                     desc="committee members")
    X, y, Xt, yt = _data()
    structures = dense_structures(SIZES)
    nets = [init_network(structures, random_state=0) for _ in args.states]
    for net, thetas in zip(nets, runs["thetas"], strict=True):
        net.thetas = [np.asarray(t, dtype=np.float64) for t in thetas]
    vote = float(np.mean(committee_predict(nets, Xt) == yt))
    lp = {}
    if args.lp_images:
        t0 = time.perf_counter()
        refit = [postprocess_last_layer(net, X[:args.lp_images], y[:args.lp_images], lp_method="ipm")[0]
                 for net in nets]
        lp = dict(lp_images=args.lp_images, members_test_accuracy=[float(n.accuracy(Xt, yt)) for n in refit],
                  committee_test_accuracy=float(np.mean(committee_predict(refit, Xt) == yt)),
                  seconds=time.perf_counter() - t0)
    out = dict(args=vars(args), members=[dict(state=g["state"], images=[g["member"] * args.n_batches * args.batch_size,
                                                                         (g["member"] + 1) * args.n_batches
                                                                         * args.batch_size],
                                              test_accuracy=float(a), train_accuracy=float(t), wall_time_s=float(w))
                                         for g, a, t, w in zip(grid, runs["test_accuracy"], runs["train_accuracy"],
                                                               runs["member_seconds"], strict=True)],
               committee_test_accuracy=vote, after_lp=lp, provenance=provenance())
    path = benchmarks_dir() / f"bench_03_committee_{tag}.json"
    path.write_text(json.dumps(out, indent=1))
    for m in out["members"]:
        print(f"member state {m['state']} images {m['images']}: test {m['test_accuracy']:.4f} "
              f"(train {m['train_accuracy']:.2f}, {m['wall_time_s']:.0f} s)")
    print(f"majority vote of {len(nets)} nets: test accuracy {vote:.4f}")
    if lp:
        print(f"after the LP on {lp['lp_images']} images: members {lp['members_test_accuracy']}, majority vote "
              f"{lp['committee_test_accuracy']:.4f}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
