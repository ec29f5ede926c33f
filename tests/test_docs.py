"""The docs generator: pages, book, figures, atomic writes, staleness, and docs/index.md.

(The commands and examples in docs/index.md run in tests/test_readme.py.)

Generation is tested on two cheap theorems in tmp_path; the whole catalogue is CI's job
(`symxent docs --pdf` and `symxent docs --check`).
"""

import re
import shutil
import sys
from pathlib import Path

import pytest
from sympy import Symbol, log

import symxent
from symxent.cli import main
from symxent.docs import check, figures, generate, latex, markdown, tree
from symxent.docs.families import OTHER, family, grouped
from symxent.docs.theorem import Theorem, collect
from symxent.domains import Interval
from symxent.errors import NotSupported

ROOT = Path(__file__).resolve().parents[1]
CHEAP = ["kl-ce-bernoulli", "cross-entropy-asymmetry"]  # verified in well under a second


@pytest.fixture(scope="module")
def theorems() -> list[Theorem]:
    return collect(CHEAP)


def _wrong() -> Theorem:
    p, q = Symbol("p", positive=True), Symbol("q", positive=True)
    d = symxent.Derivation(
        "zz-wrong",
        "A wrong log rule",
        [symxent.Step(log(p / q), "=", log(p) + log(q), "log of a quotient")],
        assumptions=[Interval(p, 0, 1), Interval(q, 0, 1)],
    )
    return Theorem(d, d.verify(samples=4), family(d.id), None, "no final formula")


@pytest.mark.parametrize(
    ("derivation_id", "expected"),
    [
        ("kl-ce-bernoulli", "Entropy, cross-entropy and KL divergence"),
        ("categorical-mle", "Likelihood and maximum likelihood"),
        ("softmax-ce-hessian", "Losses and their gradients"),
        ("laplace-kl", "Continuous distributions"),
        ("a-theorem-nobody-mapped", OTHER),
    ],
)
def test_family_by_id_prefix(derivation_id, expected):
    assert family(derivation_id) == expected


def test_grouped_keeps_book_order_and_catalogue_order_within_a_family():
    groups = grouped(["zz-new", "gaussian-kl", "gibbs-inequality", "kl-ce-bernoulli"])
    assert [f for f, _ in groups] == [
        "Entropy, cross-entropy and KL divergence",
        "Continuous distributions",
        OTHER,
    ]
    assert groups[0][1] == ["gibbs-inequality", "kl-ce-bernoulli"]


def test_every_catalogue_theorem_gets_a_page_and_a_section_in_the_book(theorems):
    book = latex.book(theorems)
    for i in CHEAP:
        assert book.count(rf"\input{{tex/{i}}}") == 1
    assert r"\tableofcontents" in book and r"\maketitle" in book
    assert r"\date{}" in book  # no build date in a file the staleness check compares


def test_theorem_page_has_math_certificate_source_and_code(theorems):
    page = markdown.theorem_page(theorems[0])
    assert page.startswith("# Cross-entropy = KL divergence + entropy, for a coin\n")
    assert "$$\n\\begin{aligned}" in page
    row = "| 1 | `=` | definition of the KL divergence | symbolic | holds |"
    assert row in page
    assert "**verified**" in page
    assert "- `002`: Connection between KL divergence and cross-entropy (the coin)" in page
    assert "```python\n" in page and "def kl_ce_bernoulli(p, q):" in page
    assert "](../figures/coin-cross-entropy-kl.svg)" in page


def test_a_failing_step_is_shown_as_failing_in_page_and_book():
    t = _wrong()
    page, section = markdown.theorem_page(t), latex.theorem_section(t)
    assert "**NOT verified**" in page and "| FAILS |" in page and "counterexample" in page
    assert "Certificate: NOT verified" in section and "FAILS" in section


def test_catalogue_page_links_every_theorem(theorems):
    page = markdown.catalogue_page(theorems)
    for i in CHEAP:
        assert f"[`{i}`]({i}.md)" in page
    assert "## Figures" in page


def test_section_has_label_bookmark_and_figure_reference(theorems):
    section = latex.theorem_section(theorems[0])
    assert r"\label{thm:kl-ce-bernoulli}" in section
    assert r"\begin{longtable}" in section
    assert r"Figure~\ref{fig:coin-cross-entropy-kl}" in section


def test_heading_gives_hyperref_a_math_free_bookmark():
    h = latex.heading("section", "KL(p || q) >= 0 & 50%", "thm:x")
    assert r"\texorpdfstring{KL(p $\|$ q) $\ge$ 0 \& 50\%}{KL(p || q) >= 0 \& 50\%}" in h
    assert h.endswith(r"\label{thm:x}")


def _owned_tree(root: Path, marker: str) -> None:
    (root / "theorems").mkdir(parents=True)
    (root / "theorems" / "a.md").write_text(marker)
    (root / "symxent.tex").write_text(marker)


def test_a_failed_swap_puts_the_old_docs_back(tmp_path, monkeypatch):
    out, new = tmp_path / "docs", tmp_path / "new"
    _owned_tree(out, "old")
    _owned_tree(new, "new")
    (out / "index.md").write_text("hand-written")
    real_rename = Path.rename

    def failing_rename(self, target):
        if self == new / "symxent.tex":  # the second entry placed: a half-swapped state
            raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(OSError, match="disk full"):
        tree.swap_in(new, out)
    assert (out / "theorems" / "a.md").read_text() == "old"
    assert (out / "symxent.tex").read_text() == "old"
    assert (out / "index.md").read_text() == "hand-written"
    assert sorted(p.name for p in out.iterdir()) == ["index.md", "symxent.tex", "theorems"]


def test_differences_name_stale_missing_and_extra_files(tmp_path):
    fresh, old = tmp_path / "fresh", tmp_path / "old"
    _owned_tree(fresh, "line 1\nline 2\n")
    _owned_tree(old, "line 1\nline two\n")
    (old / "theorems" / "gone.md").write_text("x")
    (fresh / "tex").mkdir()
    (fresh / "tex" / "b.tex").write_text("x")
    report = tree.differences(fresh, old)
    assert "stale: theorems/a.md" in report and "stale: symxent.tex" in report
    assert "    -line two" in report and "    +line 2" in report
    assert "missing: tex/b.tex" in report
    assert "not generated any more: theorems/gone.md" in report
    assert tree.differences(fresh, fresh) == []


def test_without_matplotlib_docs_fails_in_one_line_before_verifying(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(NotSupported, match=r"pip install 'symxent\[plot\]'"):
        figures.require_matplotlib()
    assert main(["docs", "--out", str(tmp_path / "docs")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "symxent[plot]" in err
    assert not (tmp_path / "docs" / "theorems").exists()


def test_cli_check_reports_stale_docs_with_status_1(monkeypatch, capsys):
    monkeypatch.setattr("symxent.cli.docs.check", lambda out, jobs: ["stale: symxent.tex"])
    assert main(["docs", "--check", "--out", "somewhere"]) == 1
    assert "stale: symxent.tex" in capsys.readouterr().err
    assert main(["docs", "--check", "--pdf"]) == 2


# --- generation end to end: these draw the figures, so they need matplotlib ------------


def test_generate_writes_pages_book_figures_and_pdf_then_check_is_clean(tmp_path):
    pytest.importorskip("matplotlib")
    if shutil.which("latexmk") is None:
        pytest.fail("latexmk is needed for the book; apt-get install latexmk texlive-latex-base")
    out = tmp_path / "docs"
    out.mkdir()
    (out / "index.md").write_text("hand-written")
    done = generate(out, CHEAP, pdf=True)
    assert done.unverified == ()
    for name in [*(f"theorems/{i}.md" for i in CHEAP), *(f"tex/{i}.tex" for i in CHEAP)]:
        assert name in done.files
    for f in figures.FIGURES:
        assert (out / "figures" / f"{f.name}.svg").exists()
        assert (out / "figures" / f"{f.name}.png").exists()
    assert (out / "symxent.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "index.md").read_text() == "hand-written"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left over
    assert check(out, CHEAP) == []
    # Now make the committed docs stale in two ways; the check must say which files.
    page = out / "theorems" / "kl-ce-bernoulli.md"
    page.write_text(page.read_text().replace("symbolic", "numeric", 1))
    (out / "figures" / "empirical-pmf.png").unlink()
    report = check(out, CHEAP)
    assert "stale: theorems/kl-ce-bernoulli.md" in report
    assert "missing: figures/empirical-pmf.png" in report
    assert len([r for r in report if not r.startswith("    ")]) == 2


def test_a_latex_failure_leaves_the_previous_docs_intact(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    out = tmp_path / "docs"
    _owned_tree(out, "previous")

    def broken(folder):
        raise latex.DocsBuildError("latexmk failed on symxent.tex: ! Undefined control sequence.")

    monkeypatch.setattr(latex, "compile_pdf", broken)
    monkeypatch.setattr(figures, "FIGURES", figures.FIGURES[:1])
    with pytest.raises(latex.DocsBuildError):
        generate(out, ["cross-entropy-asymmetry"], pdf=True)
    assert (out / "symxent.tex").read_text() == "previous"
    assert sorted(p.name for p in out.iterdir()) == ["symxent.tex", "theorems"]


def test_figures_are_byte_for_byte_reproducible(tmp_path):
    pytest.importorskip("matplotlib")
    coin = figures.FIGURES[:1]
    a = figures.write(tmp_path / "a", coin)
    b = figures.write(tmp_path / "b", coin)
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name
    svg = (tmp_path / "a" / "coin-cross-entropy-kl.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


# --- docs/index.md ---------------------------------------------------------------------

INDEX = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")


def test_the_index_has_three_journeys_and_documents_every_public_name():
    assert len(re.findall(r"^## Journey \d", INDEX, re.MULTILINE)) == 3
    reference = INDEX[INDEX.index("## API reference") :]
    missing = [n for n in symxent.__all__ if f"`{n}" not in reference]
    assert missing == []
