"""ruff (lint and format), configured in pyproject.toml, over the whole source tree."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ["symxent", "proofs", "tests", "benchmarks"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff")
    assert exe, "ruff is a test dependency: pip install '.[test]'"
    existing = [t for t in TREES if (ROOT / t).exists()]
    return subprocess.run([exe, *args, *existing], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check():
    out = _ruff("check")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format():
    out = _ruff("format", "--check")
    assert out.returncode == 0, out.stdout + out.stderr
