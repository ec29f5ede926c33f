"""The `symxent gradient` and `symxent codegen` commands, end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from symxent.cli import main

FOCAL = "-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])"
MARKER = Path("/tmp/symxent-cli-gradient-was-evaluated")


def test_focal_gradient_text_and_code(capsys) -> None:
    assert main(["gradient", FOCAL, "--wrt", "z", "--target", "torch", "--samples", "4"]) == 0
    out = capsys.readouterr().out
    assert "verified:" in out and "def grad_z(z, gamma, j, y):" in out


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_formats(fmt: str, capsys) -> None:
    assert main(["gradient", "logsumexp(z)", "--wrt", "z", "--format", fmt, "--samples", "2"]) == 0
    assert r"\operatorname{softmax}" in capsys.readouterr().out


BAD = [
    f"__import__('os').system('touch {MARKER}')",
    "().__class__",
    "lambda: 1",
    "[x for x in w]",
    "'text'",
    "foo(z)",
    "9**9**9**9",
    "x" * 100_000,
    "(" * 1_000 + "x" + ")" * 1_000,
    "log(",
]


@pytest.mark.parametrize("formula", BAD)
def test_malicious_or_broken_formula_exits_2_with_one_line(formula: str, capsys) -> None:
    MARKER.unlink(missing_ok=True)
    assert main(["gradient", formula, "--wrt", "z"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("symxent: error:") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err and not MARKER.exists()


def test_unknown_wrt_exits_2(capsys) -> None:
    assert main(["gradient", FOCAL, "--wrt", "w"]) == 2
    assert "not a variable" in capsys.readouterr().err


def test_codegen_list_and_file(tmp_path, capsys) -> None:
    assert main(["codegen", "--list"]) == 0
    assert "softmax-ce-gradient" in capsys.readouterr().out
    target = tmp_path / "g.c"
    assert main(["codegen", "softmax-ce-gradient", "--target", "c", "-o", str(target)]) == 0
    assert "int softmax_ce_gradient(size_t N, size_t K" in target.read_text()
    assert main(["codegen"]) == 2
    with pytest.raises(SystemExit) as exit_info:  # argparse rejects the choice
        main(["codegen", "softmax-ce-gradient", "--target", "fortran"])
    assert exit_info.value.code == 2
