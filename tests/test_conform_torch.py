"""symxent conform against PyTorch 2.13 CPU: every PyTorch loss conforms in float64."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from symxent.cli import main  # noqa: E402
from symxent.conform import LOSSES, conform  # noqa: E402
from symxent.conform.suites import TINY  # noqa: E402


@pytest.mark.parametrize("loss", list(LOSSES))
def test_torch_conforms_float64(loss: str) -> None:
    report = conform("torch", loss, points=25)
    assert report.ok, report.table()
    assert all(r.verdict == "pass" for r in report.results)


def test_documented_differences_are_notes_not_failures() -> None:
    probs = conform("torch", "ce-probability-targets", points=25)
    masked = {r.family: r for r in probs.results}["masked classes (-inf)"]
    bce = conform("torch", "bce-probabilities", points=40)
    assert masked.noted > 0 and masked.verdict == "pass"
    assert "0·log 0" in probs.table()
    assert "clamps log(q) and log(1 − q) at −100" in bce.table()


def test_cli_torch_cross_entropy_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["conform", "torch", "--loss", "ce-loss-one-hot", "--points", "16"])
    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[-1].startswith("PASS: 9 families within 4 ULP of the cancelling")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_torch_tiny_losses_pass_by_scale_and_fail_strict(dtype: str) -> None:
    default = conform("torch", "ce-loss-one-hot", dtype=dtype, points=20)
    strict = conform("torch", "ce-loss-one-hot", dtype=dtype, points=20, strict=True)
    tiny = {r.family: r for r in strict.results}[TINY]
    assert default.ok, default.table()
    assert not strict.ok and tiny.failed
    assert tiny.max_output_ulp > 1e6 and "got -0" in tiny.worst
