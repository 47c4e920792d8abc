"""Datasets, 50/25/25 splits and the Adam baseline of notebook 04 (Kurtz & Bah)."""

import numpy as np
import pytest

from mipnn.baselines import adam_mlp_validated
from mipnn.data import DATASETS, load_dataset, make_splits, split_dataset


@pytest.mark.parametrize("name,shape,n_classes", [
    ("digits", (1797, 64), 10), ("iris", (150, 4), 3), ("breast_cancer", (569, 30), 2),
    ("breast_cancer_wisconsin", (699, 9), 2),
    ("random_200x100", (200, 100), 2), ("random_1000x10", (1000, 10), 2)])
def test_shapes(name, shape, n_classes):
    X, y = load_dataset(name)
    assert X.shape == shape and y.shape == (shape[0],)
    assert len(np.unique(y)) == n_classes


def test_random_data_is_uniform_balanced_and_seeded():
    X, y = load_dataset("random_200x100")
    assert X.min() >= -10 and X.max() <= 10 and X.min() < -9 and X.max() > 9
    assert np.bincount(y).tolist() == [100, 100]
    X2, y2 = load_dataset("random_200x100")
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = load_dataset("random_200x100", random_state=1)
    assert not np.allclose(X, X3)


def test_split_fractions_and_disjointness():
    X, y = load_dataset("iris")
    s = split_dataset(X, y, random_state=3, scale="none")
    assert s.sizes() == {"train": 75, "val": 37, "test": 38}
    rows = [tuple(r) for r in np.vstack([s.X_train, s.X_val, s.X_test])]
    assert len(rows) == 150
    # standard scaling uses the training part only
    t = split_dataset(X, y, random_state=3)
    np.testing.assert_allclose(t.X_train.mean(axis=0), 0, atol=1e-12)
    assert not np.allclose(t.X_test.mean(axis=0), 0, atol=1e-6)


def test_repetitions_differ_and_repeat():
    a = make_splits("breast_cancer", 2, max_train=40, max_eval=30)
    b = make_splits("breast_cancer", 2, max_train=40, max_eval=30)
    assert a[0].sizes() == {"train": 40, "val": 30, "test": 30}
    np.testing.assert_array_equal(a[1].X_train, b[1].X_train)
    assert not np.array_equal(a[0].y_train, a[1].y_train) or not np.allclose(a[0].X_train, a[1].X_train)
    assert set(DATASETS) >= {"digits", "iris"}


def test_bad_parameters():
    with pytest.raises(ValueError, match="name"):
        load_dataset("mnist")
    X, y = load_dataset("iris")
    with pytest.raises(ValueError, match="fractions"):
        split_dataset(X, y, fractions=(0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match="scale"):
        split_dataset(X, y, scale="log")
    with pytest.raises(ValueError, match="n_repetitions"):
        make_splits("iris", 0)
    with pytest.raises(ValueError, match="random_state"):
        split_dataset(X, y, random_state=None)


def test_adam_baseline_keeps_best_validation_epoch():
    s = make_splits("breast_cancer", 1)[0]
    info = adam_mlp_validated(s.X_train, s.y_train, s.X_val, s.y_val, hidden=(8,), epochs=10)
    model = info["model"]
    assert len(info["val_accuracy"]) == 10
    best = max(info["val_accuracy"])
    assert info["val_accuracy"][info["best_epoch"] - 1] == best
    assert np.mean(model.predict(s.X_val) == s.y_val) == pytest.approx(best)
    assert best > 0.85
    assert model.activation == "relu" and model.learning_rate_init == 0.001 and model.batch_size == 64
    assert info["epochs_run"] == 10 and not info["converged"]
    assert info["train_accuracy"] == pytest.approx(np.mean(model.predict(s.X_train) == s.y_train))
    with pytest.raises(ValueError, match="epochs"):
        adam_mlp_validated(s.X_train, s.y_train, s.X_val, s.y_val, epochs=0)
    with pytest.raises(ValueError, match="n_iter_no_change"):
        adam_mlp_validated(s.X_train, s.y_train, s.X_val, s.y_val, n_iter_no_change=0)


def test_adam_baseline_trains_to_convergence():
    # 24 training points and batch 64: 30 epochs are 30 gradient steps; the convergence rule runs until the
    # training loss stops falling by more than tol for n_iter_no_change epochs.
    s = make_splits("iris", 1, max_train=24)[0]
    fixed = adam_mlp_validated(s.X_train, s.y_train, s.X_val, s.y_val, hidden=(4,), epochs=30)
    conv = adam_mlp_validated(s.X_train, s.y_train, s.X_val, s.y_val, hidden=(4,), epochs=5000,
                              n_iter_no_change=20)
    assert conv["converged"] and 30 < conv["epochs_run"] < 5000
    losses, best = conv["loss"], np.inf
    improved = []
    for loss in losses:                                                  # the rule that stopped it
        improved.append(loss < best - 1e-4)
        best = min(best, loss)
    assert not any(improved[-20:]) and any(improved[:-20])
    assert conv["val_accuracy"][conv["best_epoch"] - 1] == max(conv["val_accuracy"])
    assert conv["train_accuracy"] > fixed["train_accuracy"]


def test_original_wisconsin_is_vendored_and_verified(monkeypatch):
    monkeypatch.delenv("MIPNN_DATA_DIR", raising=False)  # the vendored copy in data/bdnn/ alone
    X, y = load_dataset("breast_cancer_wisconsin")
    assert X.shape == (699, 9) and np.bincount(y).tolist() == [458, 241]
    assert X.min() == 1 and X.max() == 10
    s = make_splits("breast_cancer_wisconsin", 1)[0]
    assert s.sizes() == {"train": 349, "val": 175, "test": 175}


def test_credit_card_missing_or_corrupt_file_gives_a_clear_error(monkeypatch, tmp_path):
    from mipnn.exceptions import ChecksumError, DataNotFoundError

    monkeypatch.delenv("MIPNN_DATA_DIR", raising=False)
    with pytest.raises(DataNotFoundError) as err:
        load_dataset("credit_card", data_dir=tmp_path)
    msg = str(err.value)
    assert "default_of_credit_card_clients.csv" in msg and str(tmp_path / "bdnn") in msg
    assert "cd1fc9efd3bb27b32c5e6b35539ceee93d3accd20556d5065b4cf586026881c7" in msg and "MIPNN_DATA_DIR" in msg
    (tmp_path / "bdnn").mkdir()
    (tmp_path / "bdnn" / "default_of_credit_card_clients.csv").write_text("1;2;0\n")
    with pytest.raises(ChecksumError, match="default_of_credit_card_clients.csv"):
        load_dataset("credit_card", data_dir=tmp_path)


def test_minmax_scaling_maps_the_training_part_to_unit_box():
    s = make_splits("breast_cancer_wisconsin", 1, scale="minmax")[0]
    np.testing.assert_allclose(s.X_train.min(axis=0), 0.0)
    np.testing.assert_allclose(s.X_train.max(axis=0), 1.0)
