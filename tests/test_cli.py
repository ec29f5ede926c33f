"""End to end: the ``symxent`` command as a user runs it (a subprocess, exit codes, output)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "symxent", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def test_list_json():
    out = run("list", "--json")
    assert out.returncode == 0
    rows = json.loads(out.stdout)
    assert {"kl-ce-bernoulli", "kl-ce-categorical"} <= {r["id"] for r in rows}
    assert all(set(r) == {"id", "title", "source", "steps"} for r in rows)


def test_verify_json_exit_zero():
    out = run("verify", "kl-ce-bernoulli", "kl-ce-categorical", "--json", "--samples", "4")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["ok"] is True
    assert [c["id"] for c in data["certificates"]] == ["kl-ce-bernoulli", "kl-ce-categorical"]


def test_verify_table():
    out = run("verify", "kl-ce-bernoulli", "--samples", "3", "--dps", "30")
    assert out.returncode == 0
    header, *rows, total = out.stdout.strip().splitlines()
    assert header.split()[:5] == ["derivation", "step", "rel", "method", "status"]
    assert len(rows) == 15 and all("symbolic" in r and "holds" in r for r in rows)
    assert total.startswith("1 derivations, 15 steps: 15 hold")


def test_derive_standalone_to_file(tmp_path):
    target = tmp_path / "x.tex"
    out = run("derive", "kl-ce-bernoulli", "--format", "latex", "--standalone", "-o", str(target))
    assert out.returncode == 0 and out.stdout == ""
    tex = target.read_text()
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert "\\usepackage{amsmath,amssymb}" in tex and "Certificate: verified" in tex


@pytest.mark.parametrize("fmt", ["latex", "markdown", "text"])
def test_derive_formats(fmt):
    out = run("derive", "kl-ce-categorical", "--format", fmt)
    assert out.returncode == 0 and out.stdout.strip()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "no-such-id"], "unknown derivation ID 'no-such-id'"),
        (["verify"], "give derivation IDs or --all"),
        (["verify", "--all", "kl-ce-bernoulli"], "not both"),
        (["verify", "--all", "--dps", "3"], "3 is outside 15..1000"),
        (["verify", "--all", "--samples", "many"], "'many' is not an integer"),
        (["derive", "kl-ce-bernoulli", "--format", "markdown", "--standalone"], "--standalone"),
        (["derive", "kl-ce-bernoulli", "--format", "pdf"], "invalid choice"),
        (["derive", "kl-ce-bernoulli", "-o", "/nonexistent-dir/x.tex"], "error"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_usage_is_one_line_exit_two(args, message):
    out = run(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_failed_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "keep.tex"
    target.write_text("previous")
    out = run("derive", "no-such-id", "-o", str(target))
    assert out.returncode == 2 and target.read_text() == "previous"
    assert list(tmp_path.iterdir()) == [target]


def test_console_script_matches_module():
    import shutil

    exe = shutil.which("symxent", path=str(Path(sys.executable).parent))
    assert exe is not None
    out = subprocess.run([exe, "list"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout == run("list").stdout
