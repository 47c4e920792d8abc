"""Gradient baselines trained with Adam, shared by Goebbels (2021, notebook 03) and Kurtz & Bah (2021, notebook 04).

* :func:`adam_mlp` — Goebbels' Keras comparison: scikit-learn ``MLPClassifier`` (ReLU hidden layers, softmax
  output, Adam, learning rate 0.001, batch 100, seed 4711 as in the paper) for the 784-8-8-8-10 net on 28×28 images
  (paper: 73.3 % after 3 epochs) or on 7×7 pooled images.
* :func:`adam_dense` — the same dense net as Goebbels describes it for MILP training, written in numpy like
  Keras would build it: Glorot-uniform weights and zero offsets (Keras' defaults), ReLU hidden layers, and by default
  a ReLU output layer trained on squared error to the one-hot labels (the paper uses ReLU on its output layer "for
  simplicity" and names softmax only for the convolutional net; the dense net's Keras loss is not stated, so this is
  our reading), or a softmax/cross-entropy output (``output="softmax"``).
* :func:`adam_conv` — the single-feature-map convolutional net (3×3 kernel without offset, then a dense output
  layer) written in numpy with the Adam update, for 28×28 input (paper: 93.51 % after 40 epochs) or pooled 7×7
  input (paper: 89.61 %), with a softmax/cross-entropy output or a ReLU output trained on squared error (paper:
  at most 46 %). Keras's exact initialisation and loss for the ReLU-output row are not stated in the paper, so
  that row is an approximation.
* :func:`adam_mlp_validated` — Kurtz & Bah's baseline: a dense ReLU network (softmax output, Adam with learning
  rate 0.001, batch size 64) kept at the epoch with the best validation accuracy. The authors' code (Keras) runs
  30 epochs; on a training set of a few dozen points that is a few dozen gradient steps, far from a trained
  network, so ``n_iter_no_change`` trains until the training loss has converged instead (``epochs`` is then the
  cap). One ``MLPClassifier.partial_fit`` call is one epoch and a copy of the network is kept whenever
  validation accuracy improves.
"""

from __future__ import annotations

import copy
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from ..validation import check_choice, check_int_sequence, check_number, check_positive_int, check_random_state

__all__ = ["adam_mlp", "adam_mlp_validated", "adam_conv", "adam_dense", "adam_epochs", "ConvAdamNet", "DenseAdamNet"]


def _check_xy(name, X, y):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"{name}: X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    return X, y


def adam_mlp(X_train, y_train, X_test, y_test, *, hidden=(8, 8, 8), epochs: int = 3, learning_rate: float = 0.001,
             batch_size: int = 100, random_state: int = 4711) -> dict:
    """Train an MLP with Adam for ``epochs`` passes; returns test/train accuracy, wall time and the model."""
    hidden = check_int_sequence("hidden", hidden)
    check_positive_int("epochs", epochs)
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    check_positive_int("batch_size", batch_size)
    X_train, y_train = _check_xy("train", X_train, y_train)
    X_test, y_test = _check_xy("test", X_test, y_test)
    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam", learning_rate_init=learning_rate,
                        batch_size=batch_size, max_iter=epochs, shuffle=True, random_state=random_state,
                        n_iter_no_change=epochs + 1, tol=0.0)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    wall = time.perf_counter() - t0
    return {"test_accuracy": float(clf.score(X_test, y_test)), "train_accuracy": float(clf.score(X_train, y_train)),
            "wall_time": wall, "epochs": epochs, "model": clf}


class ConvAdamNet:
    """``side²`` inputs → one ``k×k`` 'valid' feature map (ReLU, no offset) → 10 outputs (softmax or ReLU)."""

    def __init__(self, side: int, kernel: int = 3, n_classes: int = 10, output: str = "softmax", random_state=4711):
        check_positive_int("side", side)
        check_positive_int("kernel", kernel)
        check_choice("output", output, ("softmax", "relu"))
        if kernel > side:
            raise ValueError(f"kernel={kernel} must not exceed side={side}")
        self.side, self.kernel, self.output = side, kernel, output
        out = side - kernel + 1
        r, s, u, v = np.meshgrid(np.arange(out), np.arange(out), np.arange(kernel), np.arange(kernel), indexing="ij")
        self._patch = ((r + u) * side + (s + v)).reshape(out * out, kernel * kernel)
        rng = np.random.default_rng(random_state)
        lim_k = np.sqrt(6.0 / (kernel * kernel + 1))
        lim_w = np.sqrt(6.0 / (out * out + n_classes))
        self.params = {"k": rng.uniform(-lim_k, lim_k, kernel * kernel),
                       "W": rng.uniform(-lim_w, lim_w, (n_classes, out * out)), "b": np.zeros(n_classes)}

    def forward(self, X):
        """Every intermediate of the forward pass: patches (n, positions, k²), pre-activations, hidden, outputs."""
        P = X[:, self._patch]  # (n, positions, k²)
        pre = P @ self.params["k"]
        h = np.maximum(pre, 0.0)
        z = h @ self.params["W"].T + self.params["b"]
        return P, pre, h, z

    def decision(self, X, chunk: int = 2000):
        X = np.asarray(X, dtype=np.float64)
        return np.vstack([self.forward(X[i:i + chunk])[3] for i in range(0, X.shape[0], chunk)])

    def predict(self, X):
        return np.argmax(self.decision(X), axis=1)

    def gradients(self, X, Y) -> dict:
        """The gradient of the loss on one-hot targets ``Y`` for every parameter, by backpropagation."""
        P, pre, h, z = self.forward(X)
        dz = _output_gradient(z, Y, self.output)
        dpre = (dz @ self.params["W"]) * (pre > 0)
        return {"W": dz.T @ h, "b": dz.sum(axis=0), "k": np.einsum("npq,np->q", P, dpre)}

    def fit(self, X, y, *, epochs: int = 40, learning_rate: float = 0.001, batch_size: int = 100, random_state=4711):
        return _train_adam(self, X, y, self.params["W"].shape[0], epochs=epochs, learning_rate=learning_rate,
                           batch_size=batch_size, random_state=random_state)


def _train_adam(net, X, y, n_classes, *, epochs, learning_rate, batch_size, random_state):
    """Mini-batch Adam on ``net.params`` with ``net.gradients(X_batch, Y_batch)``, shuffled each epoch; returns
    ``net``."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.eye(n_classes)[np.asarray(y)]
    run = adam_epochs(net, X, Y, learning_rate=learning_rate, batch_size=batch_size, random_state=random_state)
    for _ in range(epochs):
        next(run)
    return net


def adam_epochs(net, X, Y, *, learning_rate, batch_size, random_state, deadline=None):
    """Mini-batch Adam on ``net.params`` with ``net.gradients(X_batch, Y_batch)`` (one-hot ``Y``), one epoch (a
    shuffled pass) per ``next()``, without end. With ``deadline`` (a :func:`time.perf_counter` value) the generator
    returns as soon as it has passed, between two mini-batches; the caller sees ``StopIteration``."""
    rng = np.random.default_rng(random_state)
    m = {k: np.zeros_like(v) for k, v in net.params.items()}
    v2 = {k: np.zeros_like(v) for k, v in net.params.items()}
    step = 0
    while True:
        order = rng.permutation(X.shape[0])
        for i in range(0, X.shape[0], batch_size):
            if deadline is not None and time.perf_counter() >= deadline:
                return
            idx = order[i:i + batch_size]
            step += 1
            _adam_update(net.params, net.gradients(X[idx], Y[idx]), m, v2, step, learning_rate)
        yield


def _adam_update(params, grads, m, v, step, learning_rate, b1=0.9, b2=0.999, eps=1e-7):
    """One Adam step on ``params``, in place (Kingma & Ba; Keras' defaults beta_1=0.9, beta_2=0.999, eps=1e-7)."""
    for key, g in grads.items():
        m[key] = b1 * m[key] + (1 - b1) * g
        v[key] = b2 * v[key] + (1 - b2) * g * g
        params[key] -= learning_rate * (m[key] / (1 - b1 ** step)) / (np.sqrt(v[key] / (1 - b2 ** step)) + eps)


def _output_gradient(z, Y, output: str):
    """d loss / d z per row, averaged over the batch: softmax with cross-entropy, or ReLU with squared error."""
    if output == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True) - Y) / z.shape[0]
    return 2.0 * (np.maximum(z, 0) - Y) * (z > 0) / z.shape[0]


class DenseAdamNet:
    """A dense ReLU net ``sizes = (d, h_1, ..., n_classes)`` as Keras builds it (Glorot-uniform weights, zero
    offsets), with a ReLU output trained on squared error or a softmax output trained on cross-entropy, by Adam."""

    def __init__(self, sizes, output: str = "relu", random_state=4711):
        sizes = check_int_sequence("sizes", sizes)
        if len(sizes) < 2:
            raise ValueError("sizes needs at least an input and an output size, e.g. (784, 8, 8, 8, 10)")
        check_choice("output", output, ("softmax", "relu"))
        self.output = output
        rng = np.random.default_rng(random_state)
        self.params = {}
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            lim = np.sqrt(6.0 / (a + b))
            self.params[f"W{i}"] = rng.uniform(-lim, lim, (b, a))
            self.params[f"b{i}"] = np.zeros(b)
        self.n_layers = len(sizes) - 1

    def forward(self, X):
        """The inputs of every layer and the output layer's pre-activation ``z``."""
        acts = [X]
        for i in range(self.n_layers):
            z = acts[-1] @ self.params[f"W{i}"].T + self.params[f"b{i}"]
            acts.append(z if i == self.n_layers - 1 else np.maximum(z, 0.0))
        return acts

    def decision(self, X):
        z = self.forward(np.asarray(X, dtype=np.float64))[-1]
        return np.maximum(z, 0.0) if self.output == "relu" else z

    def predict(self, X):
        return np.argmax(self.decision(X), axis=1)

    def loss(self, X, Y) -> float:
        """The training loss on one-hot targets ``Y``: mean squared error summed over outputs (ReLU output) or mean
        cross-entropy (softmax output); :meth:`gradients` is its gradient."""
        z = self.forward(np.asarray(X, dtype=np.float64))[-1]
        if self.output == "relu":
            return float(np.sum((np.maximum(z, 0) - Y) ** 2) / z.shape[0])
        z = z - z.max(axis=1, keepdims=True)
        return float(-np.mean(np.sum(Y * (z - np.log(np.exp(z).sum(axis=1, keepdims=True))), axis=1)))

    def gradients(self, X, Y) -> dict:
        """The gradient of :meth:`loss` for every parameter, by backpropagation."""
        acts = self.forward(X)
        dz = _output_gradient(acts[-1], Y, self.output)
        grads = {}
        for j in reversed(range(self.n_layers)):
            grads[f"W{j}"], grads[f"b{j}"] = dz.T @ acts[j], dz.sum(axis=0)
            if j:
                dz = (dz @ self.params[f"W{j}"]) * (acts[j] > 0)
        return grads

    def fit(self, X, y, *, epochs: int = 3, learning_rate: float = 0.001, batch_size: int = 100, random_state=4711):
        return _train_adam(self, X, y, self.params[f"W{self.n_layers - 1}"].shape[0], epochs=epochs,
                           learning_rate=learning_rate, batch_size=batch_size, random_state=random_state)


def adam_dense(X_train, y_train, X_test, y_test, *, hidden=(8, 8, 8), epochs: int = 3, output: str = "relu",
               learning_rate: float = 0.001, batch_size: int = 100, random_state: int = 4711) -> dict:
    """Train :class:`DenseAdamNet` ``(d, *hidden, 10)``; returns test/train accuracy, wall time and the model."""
    hidden = check_int_sequence("hidden", hidden)
    check_positive_int("epochs", epochs)
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    check_positive_int("batch_size", batch_size)
    X_train, y_train = _check_xy("train", X_train, y_train)
    X_test, y_test = _check_xy("test", X_test, y_test)
    net = DenseAdamNet((X_train.shape[1], *hidden, 10), output=output, random_state=random_state)
    t0 = time.perf_counter()
    net.fit(X_train, y_train, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size,
            random_state=random_state)
    wall = time.perf_counter() - t0
    return {"test_accuracy": float(np.mean(net.predict(X_test) == y_test)),
            "train_accuracy": float(np.mean(net.predict(X_train) == y_train)), "wall_time": wall,
            "epochs": epochs, "model": net}


def adam_conv(X_train, y_train, X_test, y_test, *, side: int, epochs: int = 40, output: str = "softmax",
              learning_rate: float = 0.001, batch_size: int = 100, random_state: int = 4711) -> dict:
    """Train :class:`ConvAdamNet` on flattened ``side × side`` images; returns accuracies and wall time."""
    check_positive_int("epochs", epochs)
    X_train, y_train = _check_xy("train", X_train, y_train)
    X_test, y_test = _check_xy("test", X_test, y_test)
    if X_train.shape[1] != side * side:
        raise ValueError(f"side={side} does not match {X_train.shape[1]} input columns")
    net = ConvAdamNet(side, output=output, random_state=random_state)
    t0 = time.perf_counter()
    net.fit(X_train, y_train, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size,
            random_state=random_state)
    wall = time.perf_counter() - t0
    return {"test_accuracy": float(np.mean(net.predict(X_test) == y_test)),
            "train_accuracy": float(np.mean(net.predict(X_train) == y_train)), "wall_time": wall,
            "epochs": epochs, "model": net}


def adam_mlp_validated(X_train, y_train, X_val, y_val, *, hidden=(50, 50), epochs: int = 30, batch_size: int = 64,
                       learning_rate: float = 0.001, n_iter_no_change: int | None = None, tol: float = 1e-4,
                       random_state: int = 0) -> dict:
    """Kurtz & Bah's Adam/ReLU baseline, kept at its best validation epoch.

    With ``n_iter_no_change=None`` it runs exactly ``epochs`` epochs (the authors' 30). With an integer, training
    stops once the training loss has not fallen by more than ``tol`` below its best value for that many
    consecutive epochs (scikit-learn's convergence rule), or after ``epochs`` epochs, whichever comes first;
    ``converged`` says which. Either way the network returned is the one after the epoch with the highest
    validation accuracy (earliest on ties), never chosen on test data.

    Returns ``model``, ``best_epoch`` (1-based), ``epochs_run``, ``converged``, ``val_accuracy`` and ``loss``
    (per epoch), ``train_accuracy`` (of the returned model), ``wall_time`` (seconds), ``epochs`` (the cap) and
    ``n_parameters``.
    """
    hidden = check_int_sequence("hidden", hidden)
    check_positive_int("epochs", epochs)
    check_positive_int("batch_size", batch_size)
    check_number("learning_rate", learning_rate, low=0, low_open=True)
    check_positive_int("n_iter_no_change", n_iter_no_change, allow_none=True)
    check_number("tol", tol, low=0.0)
    random_state = check_random_state(random_state, allow_none=False)
    X_train, y_train = _check_xy("train", X_train, y_train)
    X_val, y_val = _check_xy("validation", X_val, y_val)
    classes = np.unique(np.concatenate([y_train, y_val]))
    net = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam", learning_rate_init=learning_rate,
                        batch_size=min(batch_size, len(y_train)), shuffle=True, random_state=random_state)
    best, best_acc, best_epoch, history, losses = None, -1.0, 0, [], []
    best_loss, stale, converged = np.inf, 0, False
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(1, epochs + 1):
            net.partial_fit(X_train, y_train, classes=classes)
            acc = float(np.mean(net.predict(X_val) == y_val))
            history.append(acc)
            losses.append(float(net.loss_))
            if acc > best_acc:
                best, best_acc, best_epoch = copy.deepcopy(net), acc, epoch
            if n_iter_no_change is not None:
                stale = 0 if net.loss_ < best_loss - tol else stale + 1
                best_loss = min(best_loss, float(net.loss_))
                if stale >= n_iter_no_change:
                    converged = True
                    break
    n_params = int(sum(w.size for w in best.coefs_) + sum(b.size for b in best.intercepts_))
    return {"model": best, "best_epoch": best_epoch, "epochs_run": len(history), "converged": converged,
            "val_accuracy": history, "loss": losses, "train_accuracy": float(np.mean(best.predict(X_train) == y_train)),
            "wall_time": time.perf_counter() - t0, "epochs": epochs, "n_parameters": n_params}
