"""The documentation generator: pages, book and figures, all from the catalogue.

``generate(out)`` verifies every registered theorem and writes, under ``out``::

    theorems/README.md      the catalogue by family, with each theorem's verdict
    theorems/<id>.md        one GitHub-renderable page per theorem
    tex/<id>.tex            the theorem as a section of the book, with its certificate
    symxent.tex             the book: title page, contents, figures, a chapter per family
    symxent.pdf             only with ``pdf=True`` (latexmk -pdf)
    figures/<name>.svg|png  the figures, and figures/data.sha256 (a digest of their data)

Everything is generated in a staging folder and swapped in at the end, so a failed run
leaves the previous docs as they were. Output is deterministic (catalogue order, fixed
seeds, no dates), so :func:`check` can regenerate and compare to catch stale docs.

>>> from symxent.docs.families import family
>>> family("softmax-ce-gradient")
'Losses and their gradients'
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..registry import get
from ..registry import ids as catalogue_ids
from . import figures, latex, markdown, tree
from .theorem import Theorem, collect

__all__ = ["Generated", "check", "generate", "write_tree"]


@dataclass(frozen=True)
class Generated:
    """What :func:`generate` produced: the files (relative to ``out``) and any failures."""

    out: Path
    files: tuple[str, ...]
    unverified: tuple[str, ...]


def _ids(ids: Sequence[str] | None) -> list[str]:
    if ids is None:
        return catalogue_ids()
    for i in ids:
        get(i)  # an unknown ID raises InvalidInput naming the known ones, before any work
    return list(ids)


def write_tree(root: Path, theorems: Sequence[Theorem]) -> None:
    """Write every generated file for ``theorems`` under ``root`` (no PDF)."""
    (root / "theorems").mkdir(parents=True, exist_ok=True)
    (root / "tex").mkdir(exist_ok=True)
    for t in theorems:
        (root / "theorems" / f"{t.id}.md").write_text(markdown.theorem_page(t), encoding="utf-8")
        (root / "tex" / f"{t.id}.tex").write_text(latex.theorem_section(t), encoding="utf-8")
    (root / "theorems" / markdown.INDEX).write_text(
        markdown.catalogue_page(theorems), encoding="utf-8"
    )
    (root / latex.BOOK).write_text(latex.book(theorems), encoding="utf-8")
    figures.write(root / "figures")


def generate(
    out: Path | str = "docs", ids: Sequence[str] | None = None, *, pdf: bool = False, jobs: int = 1
) -> Generated:
    """Verify the theorems and (re)write the generated docs under ``out``, atomically.

    Args:
        out: the docs folder; only the generated entries (``tree.OWNED``) are replaced.
        ids: the theorems to document (default: the whole catalogue, in its order).
        pdf: also compile ``symxent.pdf`` with latexmk; a LaTeX error or an undefined
            reference fails the run and leaves ``out`` untouched.
        jobs: worker processes for verification.

    Returns:
        The files written and the IDs whose certificate is not ``ok`` (their pages say so).

    Raises:
        InvalidInput: an unknown ID.
        NotSupported: matplotlib (or, with ``pdf``, latexmk) is not installed.
        DocsBuildError: the book did not compile cleanly.
    """
    out = Path(out)
    chosen = _ids(ids)
    figures.require_matplotlib()  # fail before minutes of verification, not after
    theorems = collect(chosen, jobs=jobs)
    with tree.staging(out) as stage:
        write_tree(stage, theorems)
        if pdf:
            latex.compile_pdf(stage)
        files = tuple(
            sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
        )
        tree.swap_in(stage, out)
    unverified = tuple(t.id for t in theorems if not t.certificate.ok)
    return Generated(out, files, unverified)


def check(
    out: Path | str = "docs", ids: Sequence[str] | None = None, *, jobs: int = 1
) -> list[str]:
    """Regenerate into a temporary folder and list how ``out`` differs (empty: up to date).

    Text files (pages, LaTeX, the figures' data digest) must match byte for byte; images
    only need to exist, as their bytes depend on the matplotlib version.
    """
    chosen = _ids(ids)
    figures.require_matplotlib()
    theorems = collect(chosen, jobs=jobs)
    with tempfile.TemporaryDirectory(prefix="symxent-docs-check-") as tmp:
        write_tree(Path(tmp), theorems)
        return tree.differences(Path(tmp), Path(out))
