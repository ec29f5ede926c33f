"""symxent.conform without PyTorch: ULPs, references, suites, targets, report and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import mpmath
import numpy as np
import pytest

from symxent.cli import main
from symxent.conform import conform
from symxent.conform.adapters import resolve
from symxent.conform.report import ulps_of_output, ulps_of_scale
from symxent.conform.specs import Batch, get_loss, truth
from symxent.conform.suites import TINY, families
from symxent.errors import InvalidInput

FIXTURES = "fixtures_losses"


@pytest.fixture
def fixtures_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))


@pytest.mark.parametrize(
    ("out", "truth", "expected"),
    [
        (1.0, "1", 0.0),
        (np.nextafter(1.0, 2.0), "1", 1.0),
        (-0.0, "0", 0.0),
        (np.nan, "1", np.inf),
        (np.inf, "2000", np.inf),
        (np.inf, "inf", 0.0),
        (1.0, "inf", np.inf),
        (-0.0, "4.2483542552915889e-18", 4.2483542552915889e-18 / 2.0**-110),
    ],
)
def test_ulps_of_output(out: float, truth: str, expected: float) -> None:
    got = ulps_of_output(np.array([out]), [mpmath.mpf(truth)], np.float64)[0]
    assert got == pytest.approx(expected, rel=1e-12)


def test_ulps_of_output_float32_and_of_scale() -> None:
    one = np.float32(1.0)
    above = np.array([np.nextafter(one, np.float32(2))])
    assert ulps_of_output(above, [mpmath.mpf(1)], np.float32)[0] == 1.0
    # one ULP of 8 is half a ULP of the scale 16
    assert ulps_of_scale(np.array([8.0 + 2**-49]), np.array([8.0]), np.array([16.0]))[0] == 0.5


def test_tiny_loss_family_holds_the_issue_example() -> None:
    fam = {f.name: f for f in families("ce-loss-one-hot", points=10)}[TINY]
    z, y = fam.batches[0].inputs
    assert z[0].tolist() == [0.0, -40.0] and y[0] == 0
    exact = truth(get_loss("ce-loss-one-hot"), Batch((z[:1], y[:1])))[0]
    assert mpmath.almosteq(exact, mpmath.log1p(mpmath.exp(-40)), 1e-30)


def test_reference_gives_a_zero_loss_exactly_at_any_depth() -> None:
    # logsumexp is evaluated max-shifted: log(e^0) = 0 exactly, so no cancellation noise
    # is left even at 50 digits (it once was, about 1e-52).
    b = Batch((np.array([[-np.inf, -0.0229283]]), np.array([1])))
    shallow, deep = (truth(get_loss("ce-loss-one-hot"), b, dps=d)[0] for d in (50, 400))
    assert shallow == 0 and deep == 0


def test_truth_of_the_overflow_example_is_exact() -> None:
    b = Batch((np.array([[1000.0, 0.0, -1000.0]]), np.array([2])))
    assert truth(get_loss("ce-loss-one-hot"), b)[0] == 2000


def test_truth_applies_weights_ignore_index_and_weighted_mean() -> None:
    z, y = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]), np.array([0, 1, -100])
    options = {"weight": np.array([1.0, 3.0]), "ignore_index": -100}
    spec = get_loss("ce-loss-one-hot")
    per = truth(spec, Batch((z, y), options))
    log2 = mpmath.log(2)
    assert [float(v) for v in per] == [float(log2), float(3 * log2), 0.0]
    mean = truth(spec, Batch((z, y), {**options, "reduction": "mean"}))
    assert float(mean) == pytest.approx(float(log2))  # (1 + 3)·log 2 / (1 + 3)


def test_kl_mean_is_batchmean_over_k() -> None:
    spec = get_loss("kl-divergence")
    p = np.array([[0.25, 0.75, 0.0], [0.5, 0.25, 0.25]])
    log_q = np.log(np.full((2, 3), 1 / 3))
    mean = truth(spec, Batch((log_q, p), {"reduction": "mean"}))
    batchmean = truth(spec, Batch((log_q, p), {"reduction": "batchmean"}))
    assert float(batchmean / mean) == pytest.approx(3.0)


def test_families_are_fixed_by_the_seed() -> None:
    a, b, c = (families("ce-loss-one-hot", points=10, seed=s) for s in (1, 1, 2))
    assert np.array_equal(a[0].batches[0].inputs[0], b[0].batches[0].inputs[0])
    assert not np.array_equal(a[0].batches[0].inputs[0], c[0].batches[0].inputs[0])


def test_unknown_loss_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="unknown loss 'hinge'"):
        get_loss("hinge")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("a:b:c", "not of the form"),
        ("os.path;x:f", "not of the form"),
        ("no_such_module_xyz:f", "cannot import"),
        ("math:no_such_function", "has no function"),
        ("tensorflow-ish", "unknown target"),
    ],
)
def test_bad_targets(target: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        resolve(target, "entropy")


def test_builtin_without_the_loss() -> None:
    with pytest.raises(InvalidInput, match="has no label-smoothing"):
        resolve("scipy", "label-smoothing")


def test_numpy_naive_fails_on_overflow() -> None:
    report = conform("numpy-naive", "ce-loss-one-hot", points=20)
    by_family = {r.family: r for r in report.results}
    overflow = by_family["huge logits (overflow)"]
    assert not report.ok
    assert overflow.failed and overflow.non_finite > 0
    assert "got nan" in overflow.worst or "got inf" in overflow.worst
    assert by_family["class weights"].verdict == "not run"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_scipy_cross_entropy_conforms(dtype: str) -> None:
    report = conform("scipy", "ce-loss-one-hot", dtype=dtype, points=20)
    assert report.ok, report.table()


def test_wrong_shape_and_exceptions_fail_with_a_message(fixtures_on_path: None) -> None:
    shape = conform(f"{FIXTURES}:ce_wrong_shape", "ce-loss-one-hot", points=5)
    raises = conform(f"{FIXTURES}:ce_raises", "ce-loss-one-hot", points=5)
    assert "returned shape" in shape.results[0].messages[0]
    assert "raised RuntimeError: not implemented" in raises.table()
    assert not shape.ok and not raises.ok


def test_report_json_is_serialisable() -> None:
    data = json.loads(json.dumps(conform("numpy-naive", "entropy", points=5).to_dict()))
    assert data["ok"] is False
    assert {r["family"] for r in data["results"]} >= {"random", "zeros"}
    assert "inf" in {r["max_ulp"] for r in data["results"]}


def test_cli_numpy_naive_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["conform", "numpy-naive", "--loss", "ce-loss-one-hot", "--points", "10"])
    out = capsys.readouterr().out
    assert status == 1
    assert "FAIL:" in out and "huge logits (overflow)" in out.splitlines()[-1]


def test_cli_user_target_and_json(
    fixtures_on_path: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["conform", f"{FIXTURES}:smoothing_correct", "--loss", "label-smoothing"]
    status = main([*argv, "--points", "5", "--json"])
    assert status == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


@pytest.mark.parametrize(
    "argv",
    [
        ["conform", "scipy", "--loss", "hinge"],
        ["conform", "scipy", "--loss", "entropy", "--dtype", "float16"],
        ["conform", "scipy", "--loss", "entropy", "--points", "0"],
        ["conform", "no_such_module_xyz:f", "--loss", "entropy"],
        ["conform", "scipy", "--loss", "label-smoothing"],
    ],
)
def test_cli_bad_usage_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1


def _family(report, name: str):
    return {r.family: r for r in report.results}[name]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_strict_fails_naive_on_tiny_losses_and_passes_symxent(dtype: str) -> None:
    naive = conform("numpy-naive", "ce-loss-one-hot", dtype=dtype, points=20, strict=True)
    own = conform("symxent", "ce-loss-one-hot", dtype=dtype, points=20, strict=True)
    assert naive.error_measure == own.error_measure == "ulp_of_output"
    assert _family(naive, TINY).failed and _family(naive, TINY).max_output_ulp > 1e6
    assert own.ok, own.table()
    assert _family(own, TINY).max_output_ulp <= 4


def test_default_verdict_is_on_the_scale_and_shows_output_ulps() -> None:
    report = conform("scipy", "ce-loss-one-hot", points=20)
    tiny = _family(report, TINY)
    assert report.ok and report.error_measure == "ulp_of_cancelling_scale"
    assert tiny.max_ulp <= 4 < 1e6 < tiny.max_output_ulp
    assert "--strict fails them" in report.table()
    assert "verdict on ulp_of_cancelling_scale" in report.table().splitlines()[1]


def test_losses_without_cancellation_are_always_judged_on_the_output() -> None:
    assert conform("scipy", "entropy", points=5).error_measure == "ulp_of_output"


def test_cli_strict_and_json_name_the_measure(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["conform", "scipy", "--loss", "ce-loss-one-hot", "--points", "10", "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["error_measure"] == "ulp_of_cancelling_scale"
    assert main([*argv, "--strict"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["error_measure"] == "ulp_of_output" and data["ok"] is False


def test_cli_help_documents_strict(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["conform", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--strict" in text and "cancelling scale" in text and "[0, −40]" in text


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_jax_conforms_without_flipping_x64(dtype: str) -> None:
    jax = pytest.importorskip("jax")
    report = conform("jax", "ce-loss-one-hot", dtype=dtype, points=10)
    assert report.ok, report.table()
    assert _family(report, "random").max_ulp <= 4  # float32 arithmetic would be ~1e9 ULPs
    assert jax.config.jax_enable_x64 is False
