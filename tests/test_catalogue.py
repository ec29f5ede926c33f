"""The two foundation theorems: registered, verified symbolically, rendered exactly."""

from pathlib import Path

import pytest

import symxent

REGRESSION = Path(__file__).parent / "regression"
FOUNDATION = ("kl-ce-bernoulli", "kl-ce-categorical")


def test_catalogue_lists_ids_in_design_order():
    ids = [d.id for d in symxent.derivations()]
    assert ids[:2] == list(FOUNDATION)
    assert len(ids) == len(set(ids))


def test_unknown_id_names_the_known_ones():
    with pytest.raises(symxent.InvalidInput, match="kl-ce-bernoulli"):
        symxent.get("no-such-theorem")


@pytest.mark.parametrize("derivation_id", FOUNDATION)
def test_every_equality_step_is_symbolic(derivation_id):
    cert = symxent.get(derivation_id).verify(samples=6)
    assert cert.ok, cert.summary()
    assert {s.method for s in cert.steps} == {"symbolic"}


def test_coin_follows_the_source_text_order():
    d = symxent.get("kl-ce-bernoulli")
    whys = [s.justification for s in d.steps]
    assert whys[0].startswith("definition of the KL")
    assert "log rule" in whys[3] and "rearrange" in whys[4]
    assert "exactly Term 1" in whys[7] and "Term 2" in whys[11]
    assert d.chains[-1].rhs.args[0].text == "KL(P‖Q)"  # H(P,Q) = KL(P‖Q) + H(P)
    assert d.source == "002"


@pytest.mark.parametrize("derivation_id", FOUNDATION)
def test_latex_regression(derivation_id):
    """Whole LaTeX outputs are pinned; regenerate deliberately when notation changes."""
    expected = (REGRESSION / f"{derivation_id}.tex").read_text(encoding="utf-8")
    assert symxent.get(derivation_id).to_latex() + "\n" == expected


@pytest.mark.parametrize("derivation_id", FOUNDATION)
def test_markdown_and_text_forms(derivation_id):
    d = symxent.get(derivation_id)
    md = d.to_markdown()
    assert md.startswith(f"### {d.title}") and "\\begin{aligned}" in md
    assert md.count("\\\\\n") == len(d.steps) - 1
    assert f"{len(d.steps)}. {d.steps[-1].justification}" in md
    txt = d.to_text()
    assert all(f"({i})" in txt for i in range(1, len(d.steps) + 1))
    assert "\\" not in txt
    assert d._repr_latex_().startswith("$$\\begin{aligned}")


def test_every_catalogue_text_has_a_latex_spelling():
    """No title, summary or justification falls back to the '?' of an unmapped character."""
    from symxent.render import escape_latex_text

    for d in symxent.derivations():
        for text in (d.title, d.summary, *(s.justification for s in d.steps)):
            assert r"\textit{?}" not in escape_latex_text(text), (d.id, text)


def test_reasons_below_lists_every_justification_after_the_block():
    d = symxent.get("kl-ce-bernoulli")
    tex = d.to_latex(reasons="below")
    block, reasons = tex.split("\\end{align*}")
    assert "\\parbox" not in block and block.count("\\text{(") == len(d.steps)
    assert reasons.count("\\item ") == len(d.steps)
    with pytest.raises(symxent.InvalidInput, match="reasons"):
        d.to_latex(reasons="sideways")


def test_chain_statements_are_readable_text_and_latex():
    cert = symxent.get("kl-ce-categorical").verify(samples=2)
    first = cert.chains[0]
    assert first.statement == "H(p, q) = H(p) + KL(p‖q)"
    assert first.latex == r"H(p, q) = H(p) + D_{\mathrm{KL}}(p \,\|\, q)"
