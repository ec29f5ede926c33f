"""Every example in the README and docs/index.md runs and shows what it says.

``>>>`` blocks run as doctests; other Python blocks are executed; each ``symxent …`` line of
a shell block runs (but ``symxent docs``, which CI runs itself), with the exit status its
``# exit N`` / ``# exits N`` comment states (0 otherwise).
"""

import doctest
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [p for p in (ROOT / "README.md", ROOT / "docs" / "index.md") if p.exists()]
PYTHON = re.compile(r"```python\n(.*?)```", re.DOTALL)
SHELL = re.compile(r"```bash\n(.*?)```", re.DOTALL)


def _blocks(pattern: re.Pattern, doctests: bool | None) -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        for n, block in enumerate(pattern.findall(page.read_text(encoding="utf-8")), start=1):
            if doctests is None or (">>>" in block) == doctests:
                out.append((f"{page.name}#{n}", block))
    return out


def _commands() -> list[tuple[str, str]]:
    # `pip install …` and `symxent docs …` (regenerating all docs) are CI's own steps.
    return [
        (name, line.strip())
        for name, block in _blocks(SHELL, None)
        for line in block.splitlines()
        if line.strip().startswith("symxent ") and not line.strip().startswith("symxent docs")
    ]


def test_the_readme_has_examples():
    assert any(name.startswith("README.md") for name, _ in _blocks(PYTHON, True))
    assert any(name.startswith("README.md") for name, _ in _commands())


@pytest.mark.parametrize(("name", "block"), _blocks(PYTHON, True))
def test_doctest_block(name, block):
    test = doctest.DocTestParser().get_doctest(block, {}, name, name, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{name}: {runner.failures} failing example(s)"


@pytest.mark.parametrize(("name", "block"), _blocks(PYTHON, False))
def test_python_block_runs(name, block):
    exec(compile(block, name, "exec"), {"__name__": name})  # our own README, not user input


@pytest.mark.parametrize(("name", "line"), _commands())
def test_shell_command(name, line, tmp_path):
    command, _, comment = line.partition("#")
    expected = re.search(r"exits? (\d)", comment)
    args = shlex.split(command)[1:]
    out = subprocess.run(
        [sys.executable, "-m", "symxent", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert out.returncode == (int(expected.group(1)) if expected else 0), out.stderr[-2000:]
    assert "Traceback" not in out.stderr
