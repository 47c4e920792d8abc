"""Benchmark: Goebbels (2021) Figure 2 at the paper's scale — Algorithm 1 on the first 100 MNIST images, 28×28.

The 784-8-8-8-10 network, random weights in [−1, 1] (one run per random state), every MILP solved to optimality
(time limit per MILP), while-iterations until the training accuracy stops improving (at most --max-iterations). The
paper reports training accuracy 1.0 after a few iterations for a "good" initialisation.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_algorithm1.py --random-states 4711 1 [--no-lp-start]

Writes results/benchmarks/bench_03_algorithm1.csv (one row per random state and iteration; appends, so runs with
other random states or settings accumulate) and prints it.
"""

import argparse

from mipnn.data import load_mnist, scale_pixels
from mipnn.experiments import provenance
from mipnn.paths import benchmarks_dir
from mipnn.relu import algorithm1, dense_structures, init_network


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--random-states", type=int, nargs="+", default=[4711])
    ap.add_argument("--images", type=int, default=100)
    ap.add_argument("--max-iterations", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--no-lp-start", dest="lp_start", action="store_false")
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    tr = load_mnist("train")
    X = scale_pixels(tr.images.reshape(len(tr), -1))[:args.images]
    y = tr.labels[:args.images].astype(int)
    versions = provenance()["versions"]
    path = benchmarks_dir() / "bench_03_algorithm1.csv"
    for rs in args.random_states:
        net = init_network(dense_structures((784, 8, 8, 8, 10)), random_state=rs)
        res = algorithm1(net, X, y, max_iterations=args.max_iterations, time_limit=args.time_limit,
                         lp_start=args.lp_start)
        df = res.iterations.assign(random_state=rs, images=args.images, lp_start=args.lp_start,
                                   time_limit=args.time_limit, final_accuracy=res.accuracy,
                                   run_wall_s=round(res.wall_time, 1), statuses=str(res.statuses),
                                   highs=versions["highs"], note=args.note)
        df.to_csv(path, mode="a", header=not path.exists(), index=False)
        print(df.drop(columns=["note", "highs"]).round(3).to_string(index=False), flush=True)


if __name__ == "__main__":
    main()
