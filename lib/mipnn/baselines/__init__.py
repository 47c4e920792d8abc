"""Gradient baselines trained with Adam: Goebbels' Keras comparisons (notebook 03) and Kurtz & Bah's DNN (notebook 04).

:class:`AdamMLPClassifier` is the dense one as a scikit-learn estimator. The straight-through baseline of
Thorbjarnarson & Yorke-Smith lives with its sign networks in :mod:`mipnn.signnet`.
"""

from .adam import ConvAdamNet, DenseAdamNet, adam_conv, adam_dense, adam_epochs, adam_mlp, adam_mlp_validated
from .estimator import AdamMLPClassifier

__all__ = ["AdamMLPClassifier", "ConvAdamNet", "DenseAdamNet", "adam_conv", "adam_dense", "adam_epochs", "adam_mlp",
           "adam_mlp_validated"]
