"""User implementations for the conformance tests: one right, one with a classic slip."""

from __future__ import annotations

import numpy as np
import scipy.special


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    return scipy.special.log_softmax(logits, axis=-1)


def smoothing_correct(logits, labels, label_smoothing=0.0):
    """Label smoothing as PyTorch and Keras define it: ε/K on every class."""
    k = logits.shape[-1]
    target = (1 - label_smoothing) * np.eye(k)[labels] + label_smoothing / k
    return -np.sum(target * _log_softmax(logits), axis=-1)


def smoothing_k_minus_1(logits, labels, label_smoothing=0.0):
    """The other convention: 1 − ε on the label and ε/(K − 1) on each wrong class."""
    k = logits.shape[-1]
    one_hot = np.eye(k)[labels]
    target = (1 - label_smoothing) * one_hot + label_smoothing / (k - 1) * (1 - one_hot)
    return -np.sum(target * _log_softmax(logits), axis=-1)


def ce_wrong_shape(logits, labels):
    """Returns one value per class instead of one per example."""
    return -_log_softmax(logits)


def ce_raises(logits, labels):
    raise RuntimeError("not implemented")


NOT_CALLABLE = 42
