"""symxent.testing.assert_conforms: one line in a user's pytest suite."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from symxent.errors import InvalidInput
from symxent.testing import assert_conforms


@pytest.fixture
def fixtures_losses(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    return importlib.import_module("fixtures_losses")


def test_correct_label_smoothing_passes(fixtures_losses: ModuleType) -> None:
    report = assert_conforms(fixtures_losses.smoothing_correct, loss="label-smoothing", points=10)
    assert report.ok
    assert {r.verdict for r in report.results} == {"pass", "not run"}


def test_k_minus_1_label_smoothing_is_caught_and_named(fixtures_losses: ModuleType) -> None:
    with pytest.raises(AssertionError) as caught:
        assert_conforms(fixtures_losses.smoothing_k_minus_1, loss="label-smoothing", points=10)
    message = str(caught.value)
    assert "smoothing_k_minus_1 does not conform to label-smoothing" in message
    assert "ε/(K−1)" in message and "FAIL" in message


def test_naive_cross_entropy_points_at_overflow() -> None:
    def naive(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            q = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
            return -np.log(np.take_along_axis(q, labels[..., None], axis=-1)[..., 0])

    with pytest.raises(AssertionError, match=r"FAIL: .*huge logits \(overflow\)"):
        assert_conforms(naive, loss="ce-loss-one-hot", points=10)


def test_kl_mean_implemented_as_batchmean_is_diagnosed() -> None:
    def kl(log_q: np.ndarray, p: np.ndarray, reduction: str = "none") -> np.ndarray:
        import scipy.special

        per_row = np.sum(scipy.special.rel_entr(p, np.exp(log_q)), axis=-1)
        if reduction == "none":
            return per_row
        return per_row.sum() / (1 if reduction == "sum" else len(per_row))

    with pytest.raises(AssertionError, match=r"match reduction='batchmean'"):
        assert_conforms(kl, loss="kl-divergence", points=16)


def test_unknown_loss_is_invalid_input(fixtures_losses: ModuleType) -> None:
    with pytest.raises(InvalidInput, match="unknown loss"):
        assert_conforms(fixtures_losses.smoothing_correct, loss="smoothing")


def _max_shifted_ce(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The standard stable algorithm, logsumexp(z) − z_y with the max shifted out."""
    m = logits.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(logits - m).sum(axis=-1)) + m[..., 0]
    return lse - np.take_along_axis(logits, labels[..., None], axis=-1)[..., 0]


def test_strict_holds_tiny_losses_to_their_own_ulps() -> None:
    assert assert_conforms(_max_shifted_ce, loss="ce-loss-one-hot", points=10).ok
    with pytest.raises(AssertionError, match=r"FAIL: .*confident & correct \(tiny loss\)"):
        assert_conforms(_max_shifted_ce, loss="ce-loss-one-hot", points=10, strict=True)
