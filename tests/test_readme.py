"""Every Python example in the README and docs/index.md runs and shows what it says."""

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [p for p in (ROOT / "README.md", ROOT / "docs" / "index.md") if p.exists()]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    out = []
    for page in PAGES:
        for n, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8")), start=1):
            if ">>>" in block:
                out.append((f"{page.name}#{n}", block))
    return out


def test_the_readme_has_examples():
    assert any(name.startswith("README.md") for name, _ in _examples())


@pytest.mark.parametrize(("name", "block"), _examples(), ids=[n for n, _ in _examples()])
def test_example_runs(name, block):
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block, {}, name, name, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{name}: {runner.failures} failing example(s)"
