"""Benchmark: Goebbels' (2021) Keras baseline for the dense net, like with like — 784-8-8-8-10 on all 60,000 training
images at 28×28, Adam (learning rate 0.001, batch 100), 3 epochs; the paper reports 73.3 % on the test images.

The paper trains the same network by MILP with ReLU on the output layer and names softmax only for its
convolutional net, so our reading of its dense Keras baseline is that network as Keras builds it: Glorot-uniform
weights, zero offsets, ReLU output, squared error to the one-hot labels (``mipnn.baselines.adam_dense``). Rows:
that net (the verdict row), the same with a softmax output, and scikit-learn's softmax ``MLPClassifier`` (the
row notebook 03 showed before). The paper's seed 4711 seeds TensorFlow, whose random streams numpy cannot
reproduce, so the script runs several seeds and reports their spread.

    MIPNN_DATA_DIR=... .venv/bin/python benchmarks/bench_03_adam.py [--seeds 4711 0 1 2 3] [--epochs 3]

Writes results/benchmarks/bench_03_adam.json (one row per baseline and seed) and prints the table.
"""

import argparse
import json

import pandas as pd
from tqdm.auto import tqdm

from mipnn.baselines import adam_dense, adam_mlp
from mipnn.data import load_mnist, scale_pixels
from mipnn.experiments import provenance
from mipnn.paths import benchmarks_dir

#: baseline name -> how it is trained
BASELINES = {
    "784-8-8-8-10, ReLU output, squared error (the paper's net)": lambda *d, **k: adam_dense(*d, output="relu", **k),
    "784-8-8-8-10, softmax output (numpy)": lambda *d, **k: adam_dense(*d, output="softmax", **k),
    "784-8-8-8-10, softmax output (scikit-learn MLPClassifier)": adam_mlp,
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[4711, 0, 1, 2, 3])
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args(argv)
    tr, te = load_mnist("train"), load_mnist("test")
    X, Xt = (scale_pixels(d.images.reshape(len(d), -1)) for d in (tr, te))
    y, yt = tr.labels.astype(int), te.labels.astype(int)
    rows = []
    for name, train in tqdm(BASELINES.items(), desc="baselines"):
        for seed in args.seeds:
            r = train(X, y, Xt, yt, epochs=args.epochs, random_state=seed)
            rows.append({"baseline": name, "seed": seed, "test_accuracy": r["test_accuracy"],
                         "train_accuracy": r["train_accuracy"], "wall_s": r["wall_time"]})
    table = pd.DataFrame(rows)
    out = {"setting": {"images": len(X), "epochs": args.epochs, "learning_rate": 0.001, "batch_size": 100,
                       "seeds": args.seeds},
           "paper": {"test_accuracy": 0.733}, "runs": rows, "provenance": provenance()}
    (benchmarks_dir() / "bench_03_adam.json").write_text(json.dumps(out, indent=1) + "\n")
    print(table.groupby("baseline", sort=False)["test_accuracy"].describe()[["mean", "min", "max"]].round(4)
          .to_string())


if __name__ == "__main__":
    main()
