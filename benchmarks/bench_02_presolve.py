"""Benchmark: one HiGHS lever on notebook 02's sign-net MIPs — presolve off against HiGHS's default.

Plain MIP (no start), hidden 16, P=1, the authors' 90 % cut-off, 15 s per solve, one thread, sat-margin and
min-hinge at N = 40 and 80 with seeds 0-2 (12 runs per setting). Prints, per run, how each setting stopped, its
solve time and its training accuracy.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_02_presolve.py
"""

from mipnn.data import adult_split
from mipnn.numerics import one_hot
from mipnn.signnet import train_sign_net

SETTINGS = (("default", None), ("presolve_off", {"presolve": "off"}))


def main():
    for objective in ("sat_margin", "min_hinge"):
        for N in (40, 80):
            for seed in range(3):
                sp = adult_split(N, seed)
                Y = one_hot(((sp.y_train + 1) // 2).astype(int), 2, off=-1)
                res = {}
                for name, options in SETTINGS:
                    fit = train_sign_net(sp.X_train, Y, hidden=(16,), P=1, objective=objective, time_limit=15,
                                         threads=1, options=options, symmetry_breaking=True)
                    res[name] = (fit.stop_reason, round(fit.record.wall_time, 2), round(fit.train_accuracy, 3))
                print(objective, N, seed, res, flush=True)


if __name__ == "__main__":
    main()
