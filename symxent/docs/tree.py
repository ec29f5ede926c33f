"""The generated part of a docs folder: swapped in atomically, compared for staleness.

The docs folder also holds hand-written pages (``index.md``, ``architecture.md``), so the
generator owns only the entries in :data:`OWNED` and never touches anything else.
"""

from __future__ import annotations

import difflib
import filecmp
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OWNED = ("theorems", "tex", "figures", "symxent.tex", "symxent.pdf")
# Compared byte for byte by the staleness check. Images depend on the matplotlib and
# FreeType versions, so they are compared by presence; their data is in data.sha256.
# The PDF is a build product (``--pdf``) and is not compared at all.
TEXT_SUFFIXES = (".md", ".tex", ".sha256")
UNCOMPARED = ("symxent.pdf",)


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh folder beside ``out`` (same file system, so the swap is a rename)."""
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".symxent-docs-", dir=out))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def swap_in(new: Path, out: Path) -> None:
    """Replace the owned entries of ``out`` by those of ``new``, all or none.

    Old entries are first moved aside; if any rename fails, everything moved so far is
    put back, so ``out`` never holds a mix of two generations.
    """
    backup = Path(tempfile.mkdtemp(prefix=".symxent-old-", dir=out))
    moved: list[str] = []
    placed: list[str] = []
    try:
        for name in OWNED:
            if (out / name).exists():
                (out / name).rename(backup / name)
                moved.append(name)
        for name in OWNED:
            if (new / name).exists():
                (new / name).rename(out / name)
                placed.append(name)
    except BaseException:
        for name in placed:
            (out / name).rename(new / name)
        for name in moved:
            (backup / name).rename(out / name)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _files(root: Path) -> set[str]:
    found = set()
    for name in OWNED:
        if name in UNCOMPARED:
            continue
        path = root / name
        if path.is_file():
            found.add(name)
        elif path.is_dir():
            found |= {p.relative_to(root).as_posix() for p in path.rglob("*") if p.is_file()}
    return found


def differences(fresh: Path, committed: Path, context_lines: int = 6) -> list[str]:
    """How ``committed`` differs from ``fresh``: one summary line per file, with a short diff.

    Returns an empty list when the committed docs are up to date.
    """
    new, old = _files(fresh), _files(committed)
    report = [f"missing: {name}" for name in sorted(new - old)]
    report += [f"not generated any more: {name}" for name in sorted(old - new)]
    for name in sorted(new & old):
        if not name.endswith(TEXT_SUFFIXES) or filecmp.cmp(fresh / name, committed / name, False):
            continue
        a = (committed / name).read_text(encoding="utf-8").splitlines()
        b = (fresh / name).read_text(encoding="utf-8").splitlines()
        diff = list(difflib.unified_diff(a, b, "committed", "regenerated", n=0, lineterm=""))
        report.append(f"stale: {name}")
        report += [f"    {line}" for line in diff[2 : 2 + context_lines]]
        if len(diff) > 2 + context_lines:
            report.append(f"    … {len(diff) - 2 - context_lines} more diff lines")
    return report
