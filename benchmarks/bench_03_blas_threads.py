"""Benchmark (notebook 03b): does the number of BLAS threads change what Algorithm 1 computes?

One while-iteration of Algorithm 1 (first 100 MNIST training images at 28×28, the 784-8-8-8-10 net from
``--random-state``, ≤ ``--mip-nodes`` nodes per MILP, ``--input-box``) is run once per value of
``OPENBLAS_NUM_THREADS`` in ``--threads``, each in a fresh process (the variable is read when numpy loads). The
layer fits' objectives are compared. A multi-threaded BLAS may sum in another order, so the layer outputs can differ
in the last bits; with node-capped MILPs that can be enough to change the incumbent the solver stops at, and from
there the rest of the run. Exact MILPs would end at the same optimum values.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_blas_threads.py [--threads 1 2] [--random-state 40]
        [--mip-nodes 50] [--input-box 1 1]
Writes results/benchmarks/bench_03_blas_threads.json (per thread count: accuracy, statuses and the objectives of
every layer fit, with provenance).
"""

import argparse
import json
import os
import subprocess
import sys

from mipnn.experiments import provenance
from mipnn.paths import benchmarks_dir


def one_iteration(random_state, mip_nodes, box):
    from mipnn.data import load_mnist, scale_pixels
    from mipnn.relu import algorithm1, dense_structures, init_network

    tr = load_mnist("train")
    X, y = scale_pixels(tr.images[:100].reshape(100, -1)), tr.labels[:100].astype(int)
    net = init_network(dense_structures((784, 8, 8, 8, 10)), random_state=random_state)
    res = algorithm1(net, X, y, max_iterations=1, options={"mip_max_nodes": mip_nodes}, input_box=box)
    up = res.updates[["layer", "weight_objective", "input_objective"]]
    return {"accuracy": res.accuracy, "statuses": res.statuses, "updates": json.loads(up.to_json(orient="records")),
            "blas": provenance()["blas"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--random-state", type=int, default=40)
    ap.add_argument("--mip-nodes", type=int, default=50)
    ap.add_argument("--input-box", type=float, nargs=2, default=[1.0, 1.0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one_iteration(args.random_state, args.mip_nodes, tuple(args.input_box))))
        return
    runs = {}
    for n in args.threads:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": str(n), "OMP_NUM_THREADS": str(n)}
        cmd = [sys.executable, __file__, "--child", "--random-state", str(args.random_state), "--mip-nodes",
               str(args.mip_nodes), "--input-box", *map(str, args.input_box)]
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        runs[str(n)] = json.loads(out.strip().splitlines()[-1])
        print(f"OPENBLAS_NUM_THREADS={n}: accuracy {runs[str(n)]['accuracy']:.2f}, layer fits "
              + ", ".join(f"{u['layer']}: {u['weight_objective']:.3f}" for u in runs[str(n)]["updates"]), flush=True)
    path = benchmarks_dir() / "bench_03_blas_threads.json"
    path.write_text(json.dumps({"args": vars(args), "runs": runs, "provenance": provenance()}, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
