"""ruff (lint and format), configured in pyproject.toml, over the whole source tree."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ["symxent", "proofs", "tests", "benchmarks"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    # `python -m ruff`: the ruff installed beside this Python, whatever PATH holds.
    existing = [t for t in TREES if (ROOT / t).exists()]
    command = [sys.executable, "-m", "ruff", *args, *existing]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def test_ruff_check():
    out = _ruff("check")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format():
    out = _ruff("format", "--check")
    assert out.returncode == 0, out.stdout + out.stderr
