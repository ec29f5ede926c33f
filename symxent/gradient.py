"""The gradient of a formula the user types, as a checked ``Derivation``.

For each variable x in ``wrt`` the derivation has the chain

    ∂f/∂x  =  (SymPy's chain-rule result)  =  (the simplified form)

The checker re-derives the first step itself (it evaluates the ``Derivative``), so no
result is typed in. The simplified form uses symxent's own normal forms: sums by
``symxent.sums.normalize_sums`` (linearity, Σ_k δ_jk f(k) = f(j), Σ_k p_k = 1 on the
simplex), then powers combined (``powsimp``) and common factors pulled out (``factor_terms``);
SymPy's ``simplify`` is never applied to sums over ``Indexed``.

A vector ``z`` in ``wrt`` means ∂/∂z_j for a class index j not used in the formula.

Domains, inferred from how each name is used (the checker samples them):

* a vector inside a softmax/logsumexp, or differentiated, is a logit vector (``RealVector``);
* otherwise a vector inside a ``log``, or weighting a log inside a sum (p in Σ p_k log q_k),
  is a probability vector (``Simplex``); any other vector is a ``RealVector``;
* a free class index (``y`` in ``z[y]``, and j) is a ``ClassIndex``;
* a scalar in an exponent, a denominator, a ``log``/``sqrt`` argument or the base of a
  non-integer power is ``Positive`` (γ, a temperature T); any other scalar is ``Real``.

>>> d = gradient("-log(softmax(z)[y])", ["z"])
>>> d.chains[0].rhs
-KroneckerDelta(j, y) + softmax(z[k], (k, 1, K), j)
>>> d.verify(samples=4).ok
True
"""

from __future__ import annotations

from collections.abc import Sequence

from sympy import (
    Add,
    Basic,
    Derivative,
    Expr,
    Idx,
    Indexed,
    IndexedBase,
    Mul,
    Pow,
    Sum,
    Symbol,
    exp,
    expand,
    factor_terms,
    log,
    powsimp,
)

from symxent.derivation import Derivation, Step
from symxent.domains import ClassIndex, Positive, Real, RealVector, Simplex
from symxent.errors import InvalidInput
from symxent.functions import log_softmax, logsumexp, sigmoid, softmax, softplus, xlogy
from symxent.parse import K_CLASSES, parse
from symxent.render import text
from symxent.sums import normalize_sums

_REDUCTIONS = (softmax, log_softmax, logsumexp)
_FRESH = ("j", "i", "l", "m", "c", "a", "b")

RULES: dict[type, str] = {
    Sum: "Σ_k is linear and ∂z_k/∂z_j = δ_jk",
    softmax: "∂softmax(z)_y/∂z_j = softmax(z)_y (δ_jy − softmax(z)_j)",
    log_softmax: "∂log softmax(z)_y/∂z_j = δ_jy − softmax(z)_j",
    logsumexp: "∂logsumexp(z)/∂z_j = softmax(z)_j",
    log: "d log u = du / u",
    Pow: "d u^a = a u^(a−1) du + u^a log u da",
    exp: "d e^u = e^u du",
    sigmoid: "σ′ = σ(1 − σ)",
    softplus: "softplus′ = σ",
    xlogy: "d(x log y) = log y dx + x/y dy",
}
"""The differentiation rule each kind of node contributes, quoted in the justification."""


def _variable(name: str, expr: Expr) -> Expr:
    """The thing ``name`` denotes in ``expr``: z[j] (fresh j) for a vector, else the symbol."""
    vectors = {i.base.label.name: i.base for i in expr.atoms(Indexed)}
    scalars = {s.name: s for s in expr.free_symbols if isinstance(s, Symbol) and s != K_CLASSES}
    if name in vectors:
        used = {i.name for i in expr.atoms(Idx)}
        fresh = next(n for n in (*_FRESH, *(f"j{n}" for n in range(99))) if n not in used)
        return vectors[name][Idx(fresh, (1, K_CLASSES))]
    if name in scalars and not isinstance(scalars[name], Idx):
        return scalars[name]
    known = sorted({*vectors, *(n for n, s in scalars.items() if not isinstance(s, Idx))})
    raise InvalidInput(f"--wrt {name}: not a variable of the formula (its variables: {known})")


def _probability_vectors(expr: Expr) -> set[Basic]:
    """Vectors in a log argument, or weighting a log term inside a sum."""
    found = set()
    for f in expr.atoms(log, xlogy):
        found |= {i.base for i in f.atoms(Indexed) if not f.has(*_REDUCTIONS)}
    logs = (log, log_softmax, xlogy)
    for s in expr.atoms(Sum):
        for term in Add.make_args(expand(s.function)):
            if term.has(*logs):
                found |= {f.base for f in Mul.make_args(term) if isinstance(f, Indexed)}
    return found


def _positive_scalars(expr: Expr) -> set[Basic]:
    found = set()
    for p in expr.atoms(Pow):
        found |= p.exp.free_symbols
        if p.exp.is_negative or not p.exp.is_Integer:
            found |= {s for s in Add.make_args(p.base) if s.is_Symbol}
    for f in expr.atoms(log):
        found |= {a for a in f.args if a.is_Symbol}
    return {s for s in found if not isinstance(s, Idx)}


def domains(expr: Expr, differentiated: Sequence[Expr] = ()) -> list[object]:
    """Sampling domains for every free symbol of ``expr``, by the rules of the module doc."""
    logits = {i.base for f in expr.atoms(*_REDUCTIONS) for i in f.atoms(Indexed)}
    logits |= {v.base for v in differentiated if isinstance(v, Indexed)}
    vectors = {i.base for i in expr.atoms(Indexed)} | logits
    simplex = _probability_vectors(expr) - logits
    bound = {lim[0] for s in expr.atoms(Sum) for lim in s.limits}
    bound |= {f.limits[0] for f in expr.atoms(*_REDUCTIONS) if not f.is_explicit}
    everything = expr.free_symbols | {x for v in differentiated for x in v.free_symbols}
    indices = {i for i in everything if isinstance(i, Idx)} - bound
    indices |= {v.indices[0] for v in differentiated if isinstance(v, Indexed)}
    scalars = {s for s in everything if type(s) is Symbol and s != K_CLASSES}
    scalars -= {v.label for v in vectors}
    positive = _positive_scalars(expr)
    found: list[object] = [
        Simplex(v, K_CLASSES, Idx("k", (1, K_CLASSES)))
        if v in simplex
        else RealVector(v, K_CLASSES)
        for v in sorted(vectors, key=str)
    ]
    found += [ClassIndex(i, K_CLASSES) for i in sorted(indices, key=str)]
    found += [(Positive if s in positive else Real)(s) for s in sorted(scalars, key=str)]
    return found


def simplified(expr: Expr, simplex: Sequence[IndexedBase] = ()) -> Expr:
    """Sums in normal form, powers of the same base combined, common factors outside."""
    return factor_terms(powsimp(_normalize(expr, simplex)))


def _normalize(expr: Expr, simplex: Sequence[IndexedBase]) -> Expr:
    return normalize_sums(expr, simplex) if expr.has(Sum) else expr


def _chain_rule(expr: Expr) -> str:
    used = [rule for kind, rule in RULES.items() if expr.atoms(kind)]
    return "chain rule (evaluated by the checker): " + "; ".join(used or ["linearity"])


def _steps(expr: Expr, x: Expr, simplex: Sequence[IndexedBase]) -> list[Step]:
    raw = expr.diff(x)
    steps = [Step(Derivative(expr, x), "=", raw, _chain_rule(expr))]
    tidy = simplified(raw, simplex)
    if tidy != raw:
        why = "sums in normal form (linearity, Σ_k δ_jk f(k) = f(j)"
        why += ", Σ_k p_k = 1 on the simplex)" if simplex else ")"
        steps.append(Step(raw, "=", tidy, why + "; powers combined; common factors collected"))
    return steps


def gradient(formula: str | Expr, wrt: Sequence[str], *, K: int | None = None) -> Derivation:
    """Derive ∂f/∂x for each x in ``wrt`` as a ``Derivation`` that ``verify()`` checks.

    Args:
        formula: text in the language of :func:`symxent.parse`, or a parsed expression.
        wrt: variable names; a vector name z means ∂/∂z_j.
        K: the number of classes (default: the symbol K).

    Returns:
        A derivation with one chain per variable; ``chains[i].rhs`` is the i-th gradient
        and ``final`` is the gradient when ``wrt`` has one name.

    Raises:
        InvalidInput: the formula does not parse, or a name is not one of its variables.

    >>> gradient("-(1 - softmax(z)[y])**gamma * log(softmax(z)[y])", ["gamma"]).domains[-1]
    Positive(symbol=gamma, decades=3.0)
    """
    expr = parse(formula, K=K) if isinstance(formula, str) else formula
    if not wrt:
        raise InvalidInput("name at least one variable to differentiate by (--wrt z)")
    variables = [_variable(name, expr) for name in dict.fromkeys(wrt)]
    assumptions = domains(expr, variables)
    simplex = [d.base for d in assumptions if isinstance(d, Simplex)]
    steps = [step for x in variables for step in _steps(expr, x, simplex)]
    names = ", ".join(text(x) for x in variables)
    return Derivation(
        "gradient",
        f"Gradient of {text(expr)} with respect to {names}",
        steps,
        assumptions=assumptions,
        final=steps[-1].rhs if len(variables) == 1 else None,
        summary=f"f = {text(expr)}; differentiated by {names}. Domains: "
        + ", ".join(_describe(d) for d in assumptions)
        + ".",
    )


def _describe(domain: object) -> str:
    what = getattr(domain, "base", None) or getattr(domain, "index", None)
    what = what if what is not None else domain.symbol
    return f"{what} {type(domain).__name__}"


__all__ = ["RULES", "domains", "gradient", "simplified"]
