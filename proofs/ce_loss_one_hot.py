"""ce-loss-one-hot: (1/N) Σ_n H(p_n, q_n) = −(1/N) Σ_n log softmax(z_n)_{y_n} (source 000).

With one-hot targets p_n (all mass on the label y_n) and the model's q_n = softmax(z_n),
z_n = f(x_n), the average cross-entropy is the familiar classification loss, and each
term is logsumexp(z_n) − z_{n, y_n}. K and N are symbolic.

This module declares :class:`LabelledLogits` (a data set's logits and labels, as a
sampling domain) and registers the equality prover ``one-hot labels`` that applies
Σ_k [k = y_n] f(k) = f(y_n) for labels such a domain declares to lie in 1..K.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sympy import (
    Add,
    Basic,
    Expr,
    Float,
    Idx,
    IndexedBase,
    Integer,
    KroneckerDelta,
    Mul,
    Sum,
    Symbol,
    expand,
    expand_log,
)
from symxent.proofs.softmax_ce_gradient import NamedLoss

from symxent.checking import register_prover
from symxent.derivation import Derivation, Step, chain
from symxent.domains import ClassIndex, RealVector
from symxent.functions import log_softmax, logsumexp, softmax
from symxent.measures import cross_entropy
from symxent.models import Categorical
from symxent.notation import written
from symxent.registry import register
from symxent.sums import K

N = Symbol("N", integer=True, positive=True)
n = Idx("n", (1, N))
i, k, y = Idx("i", (1, K)), Idx("k", (1, K)), Idx("y", (1, K))
z, labels = IndexedBase("z", real=True), IndexedBase("y", integer=True)


@dataclass(frozen=True)
class LabelledLogits:
    """A data set: logits ``z[n, k]`` and labels ``y[n]`` in 1..K, for n = 1..N.

    The checker substitutes sampled values in one pass, so a logit picked by a label,
    ``z[n, y[n]]``, is sampled as an entry of its own (equal to the logit it picks).
    """

    logits: IndexedBase
    labels: IndexedBase
    size: Expr
    classes: Expr

    def constraints(self) -> list[Basic]:
        label = self.labels[n]
        return [Integer(1) <= label, label <= self.classes]

    def sample(self, rng: random.Random, size: int | None, dps: int) -> dict[Basic, Expr]:
        rows = cols = size  # the checker gives every symbolic size the same value
        point: dict[Basic, Expr] = {}
        for row in range(1, rows + 1):
            label = rng.randint(1, cols)
            values = [Float(rng.gauss(0, 3.0), dps) for _ in range(cols)]
            point.update({self.logits[row, c + 1]: v for c, v in enumerate(values)})
            point[self.labels[row]] = Integer(label)
            point[self.logits[row, self.labels[row]]] = values[label - 1]
        return point


def _label_delta(term: Expr, var: Basic, label_bases: set) -> tuple[Expr, Expr] | None:
    """The factor δ(var, y[n]) of ``term`` and its label y[n], for a declared label vector."""
    for factor in Mul.make_args(term):
        if isinstance(factor, KroneckerDelta) and var in factor.args:
            other = factor.args[1] if factor.args[0] == var else factor.args[0]
            if getattr(other, "base", None) in label_bases:
                return factor, other
    return None


def _pick(s: Sum, label_bases: set) -> Expr:
    """Σ_k δ(k, y[n])·f(k) → f(y[n]) (innermost index of the sum, term by term)."""
    (var, _, _), outer = s.limits[0], s.limits[1:]
    out = []
    for term in Add.make_args(expand(s.function)):
        hit = _label_delta(term, var, label_bases)
        if hit is None:
            out.append(Sum(term, *s.limits))
        else:
            picked = (term / hit[0]).subs(var, hit[1])
            out.append(Sum(picked, *outer) if outer else picked)
    return Add(*out)


def _summands_cancel(expr: Expr) -> bool:
    """expr = 0 because, grouped by their limits, the sums' summands cancel termwise."""
    groups: dict[tuple, Expr] = {}
    rest = Integer(0)
    for term in Add.make_args(expand(expr)):
        sums = [f for f in Mul.make_args(term) if isinstance(f, Sum)]
        coeff = term / sums[0] if len(sums) == 1 else None
        bound = {lim[0] for lim in sums[0].limits} if sums else set()
        if coeff is None or coeff.free_symbols & bound:
            rest += term
            continue
        groups[sums[0].limits] = groups.get(sums[0].limits, 0) + coeff * sums[0].function
    summands = [*groups.values(), rest]
    return all(expand(expand_log(f, force=True)) == 0 for f in summands)


def _zero_by_one_hot(d: Expr, ctx: object) -> bool:
    """Resolve Σ_k [k = y_n] f(k) = f(y_n) for declared labels, then compare summands."""
    bases = {dom.labels for dom in ctx.derivation.domains if isinstance(dom, LabelledLogits)}
    if not bases or not d.has(KroneckerDelta):
        return False
    return _summands_cancel(d.replace(lambda e: isinstance(e, Sum), lambda e: _pick(e, bases)))


register_prover("one-hot labels", _zero_by_one_hot, relation="equality")


def one_hot_cross_entropy(label: Expr, logits: Expr) -> Expr:
    """H(p, q) from the library's measure, with p_k = [k = label] and q_k = softmax(logits)_k."""
    p, q = Categorical(K, name="p"), Categorical(K, name="q")
    kk = p.index
    return cross_entropy(p, q).xreplace(
        {p.base[kk]: KroneckerDelta(kk, label), q.base[kk]: softmax(logits, (i, 1, K), kk)}
    )


def example_steps() -> list[Step]:
    """One example with label y: H(onehot(y), softmax(z)) = logsumexp(z) − z_y."""
    h = NamedLoss(
        "H(p, q)",
        one_hot_cross_entropy(y, z[i]),
        latex="H(p, q)",
    )
    return chain(
        h,
        (
            "=",
            h.definition,
            "definition H(p, q) = −Σ_k p_k log q_k, with the one-hot p_k = [k = y] "
            "(δ_ky) and q = softmax(z)",
        ),
        (
            "=",
            -log_softmax(z[i], (i, 1, K), y),
            "p_k = [k = y] is zero except at the label, so only the term k = y is left",
        ),
        (
            "=",
            written(logsumexp(z[i], (i, 1, K)), -z[y]),
            "log softmax(z)_y = z_y − log Σ_i exp(z_i) = z_y − logsumexp(z)",
        ),
    )


def data_set_steps() -> list[Step]:
    """The average over N examples, each with its own label y_n."""
    logits, label = z[n, i], labels[n]
    h_n = NamedLoss(
        "H(p_n, q_n)",
        one_hot_cross_entropy(label, logits),
        latex="H(p_n, q_n)",
    )
    loss = NamedLoss("L(D)", Sum(h_n, (n, 1, N)) / N, latex=r"L(\mathcal{D})")
    return chain(
        loss,
        (
            "=",
            -Sum(-h_n.definition, (n, 1, N)) / N,
            "definition of the cross-entropy H(p_n, q_n) = −Σ_k p_n(k) log q_n(k), with "
            "p_n(k) = [k = y_n] and q_n = softmax(z_n), z_n = f(x_n)",
        ),
        (
            "=",
            -Sum(log_softmax(logits, (i, 1, K), label), (n, 1, N)) / N,
            "in each example only the term of its label k = y_n is left",
        ),
        (
            "=",
            Sum(written(logsumexp(logits, (i, 1, K)), -z[n, label]), (n, 1, N)) / N,
            "log softmax(z_n)_{y_n} = z_{n, y_n} − logsumexp(z_n)",
        ),
    )


@register("ce-loss-one-hot")
def build() -> Derivation:
    return Derivation(
        "ce-loss-one-hot",
        "The cross-entropy loss with one-hot labels",
        [*example_steps(), *data_set_steps()],
        source="000",
        assumptions=[
            RealVector(z, K),
            ClassIndex(y, K),
            LabelledLogits(z, labels, N, K),
        ],
        final=logsumexp(z[i], (i, 1, K)) - z[y],
        summary=(
            "A classifier f maps x_n to logits z_n = f(x_n) and predicts q_n = softmax(z_n). "
            "With the one-hot target p_n of the label y_n, the average cross-entropy over "
            "the data set is -(1/N) sum_n log softmax(z_n)_{y_n}: the negative "
            "log-likelihood of the labels, one logsumexp(z_n) - z_{n, y_n} per example."
        ),
    )
