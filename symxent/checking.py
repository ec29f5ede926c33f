"""Checking derivations: symbolic provers first, numeric evidence only where they give up.

Provers are named data, tried in order by one function (:func:`prove`). Each receives the
step and both sides already unfolded (notation replaced by definitions, derivatives, limits
and integrals evaluated). A symbolic success is spot-checked at a few sampled points, so
an unsound rewrite (e.g. ``expand_log(force=True)`` on a negative argument) cannot slip
through. When every prover gives up, the relation is tested at ``samples`` admissible
points at ``dps`` digits, and the certificate says it is numeric evidence.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from mpmath import mp
from sympy import (
    Derivative,
    Dummy,
    Expr,
    Idx,
    Indexed,
    Integral,
    Limit,
    Subs,
    Sum,
    Symbol,
    expand,
    expand_log,
    factor,
    simplify,
    together,
    zoo,
)

from .certificate import Certificate, ChainCheck, StepCheck
from .domains import Interval
from .functions import _Reduction
from .notation import unfold
from .printing import LATEX_RELATIONS, TEXT_RELATIONS, latex, text
from .sums import expand_logs_in_sums, normalize_sums, resolve_index_conditions

SIZES = (2, 3, 7)  # concrete K tried for a symbolic number of classes
SPOT_CHECKS = 3
Prover = Callable[..., bool]


@dataclass(frozen=True)
class Context:
    """What the provers and the sampler know about the derivation being checked."""

    derivation: object
    dps: int
    samples: int
    seed: int

    @property
    def simplex(self) -> list:
        return self.derivation.simplex_bases

    @property
    def size_symbols(self) -> set:
        sizes = {getattr(d, "size", None) for d in self.derivation.domains}
        return {s for s in sizes if isinstance(s, Symbol)}


def prepare(expr: Expr, derivation: object, keep: tuple[type, ...] = ()) -> Expr:
    """Unfold notation, apply the derivation's definitions, evaluate ∂, lim, ∫ and Subs.

    Objects of the types in ``keep`` are not unfolded into their definitions.
    """
    expr = unfold(expr, keep).xreplace(dict(derivation.definitions))
    expr = unfold(expr, keep)
    for kind in (Derivative, Limit, Integral, Subs):
        expr = expr.replace(lambda e, kind=kind: isinstance(e, kind), lambda e: e.doit(deep=False))
    return resolve_index_conditions(unfold(expr, keep))


def _zero_by_sums(d: Expr, ctx: Context) -> bool:
    return normalize_sums(expand_logs_in_sums(d), ctx.simplex) == 0


def _zero_by_simplify(d: Expr, ctx: Context) -> bool:
    # SymPy's simplify can raise inside sum_simplify on Sum-over-Indexed; never feed it sums.
    reduced = normalize_sums(expand_logs_in_sums(d), ctx.simplex)
    return not reduced.has(Sum) and simplify(reduced) == 0


EQUALITY_PROVERS: list[tuple[str, Prover]] = [
    ("identical after unfolding", lambda d, ctx: d == 0),
    ("algebraic expansion", lambda d, ctx: expand(d) == 0),
    ("log rules (positive arguments)", lambda d, ctx: expand(expand_log(d, force=True)) == 0),
    ("sums termwise (linearity)", _zero_by_sums),
    ("simplification", _zero_by_simplify),
]


def _unit_interval_symbols(ctx: Context) -> dict:
    """x ∈ (0, 1) ↦ t/(1 + t) with t > 0: then x and 1 − x are visibly positive to SymPy."""
    out = {}
    for d in ctx.derivation.domains:
        if isinstance(d, Interval) and (d.lo, d.hi) == (0, 1):
            t = Dummy(f"t_{d.symbol}", positive=True)
            out[d.symbol] = t / (1 + t)
    return out


def _sign(d: Expr, strict: bool, ctx: Context) -> bool:
    forms = [d, expand(d)]
    if not d.has(Sum):
        forms.append(simplify(d))
        reparametrised = d.subs(_unit_interval_symbols(ctx))
        forms.append(factor(together(reparametrised)))
    for form in forms:
        verdict = form.is_extended_positive if strict else form.is_extended_nonnegative
        if verdict:
            return True
    return False


# Inequality provers get (step, lhs, rhs, ctx) and return True when they prove lhs rel rhs.
INEQUALITY_PROVERS: list[tuple[str, Prover]] = [
    (
        "sign of the difference",
        lambda step, lhs, rhs, ctx: _sign(
            (rhs - lhs) if step.relation in ("<=", "<") else (lhs - rhs),
            step.relation in ("<", ">"),
            ctx,
        ),
    ),
]


def register_prover(name: str, prover: Prover, *, relation: str = "inequality") -> None:
    """Add a prover, tried before the generic ones of its kind.

    Equality provers get ``(difference, ctx)``; inequality provers ``(step, lhs, rhs, ctx)``.
    """
    table = EQUALITY_PROVERS if relation == "equality" else INEQUALITY_PROVERS
    if any(n == name for n, _ in table):
        return
    # Equalities: before the slow general simplification; inequalities: before the sign test.
    table.insert(len(table) - 1 if relation == "equality" else 0, (name, prover))


def _zero_with_opaque_applications(step: object, ctx: Context) -> bool:
    """lhs − rhs simplifies to 0 with each sum and softmax-like application an opaque symbol.

    An identity that holds for arbitrary symbols holds for any values, in particular those of
    the sums; and it keeps SymPy's simplify away from Sum objects (its sum_simplify trap).
    """
    d = prepare(step.lhs, ctx.derivation, _Reduction) - prepare(
        step.rhs, ctx.derivation, _Reduction
    )
    opaque = sorted(d.atoms(Sum, _Reduction), key=str)
    if not opaque:
        return False
    return simplify(d.xreplace({a: Dummy(f"A{i}") for i, a in enumerate(opaque)})) == 0


def prove(step: object, lhs: Expr, rhs: Expr, ctx: Context) -> str | None:
    """The name of the first prover that proves the step, or None if none can."""
    if step.relation == "=":
        d = lhs - rhs
        candidates = [(n, lambda f=f: f(d, ctx)) for n, f in EQUALITY_PROVERS]
        candidates.append(
            (
                "simplification with sums and softmax terms as opaque symbols",
                lambda: _zero_with_opaque_applications(step, ctx),
            )
        )
    else:
        candidates = [(n, lambda f=f: f(step, lhs, rhs, ctx)) for n, f in INEQUALITY_PROVERS]
    for name, attempt in candidates:
        try:
            if attempt():
                return name
        except (TypeError, ValueError, NotImplementedError, StopIteration, RecursionError):
            continue  # this prover does not apply to the expression; try the next one
    return None


def _evaluate(expr: Expr, point: dict, size: int | None, ctx: Context) -> object:
    scalars = {key: v for key, v in point.items() if not isinstance(key, Indexed)}
    entries = {key: v for key, v in point.items() if isinstance(key, Indexed)}
    e = expr.xreplace(scalars)
    # Idx objects carry their range (1, K); substituting K inside them desynchronises a Sum's
    # limits from its summand, so bound indices become plain integer symbols first.
    e = e.xreplace({i: Symbol(i.name, integer=True) for i in e.atoms(Idx)})
    if size is not None:
        e = e.subs({s: size for s in ctx.size_symbols})
    e = unfold(e.doit()).doit()
    # Entries may index entries (q[X[1]]): substitute until nothing changes.
    for _ in range(4):
        e, before = e.xreplace(entries), e
        if e == before:
            break
    return e.evalf(ctx.dps)


def _holds(lv: Expr, rv: Expr, relation: str, dps: int) -> bool:
    if not (lv.is_extended_real and rv.is_extended_real) or zoo in (lv, rv):
        return False
    if lv.is_infinite or rv.is_infinite:
        diff_sign = 0 if lv == rv else (1 if lv > rv else -1)
    else:
        scale = max(1, abs(lv), abs(rv))
        gap = lv - rv
        tolerance = scale * 10 ** (-(3 * dps) // 4)
        diff_sign = 0 if abs(gap) <= tolerance else (1 if gap > 0 else -1)
    return {
        "=": diff_sign == 0,
        "<=": diff_sign <= 0,
        ">=": diff_sign >= 0,
        "<": diff_sign < 0,
        ">": diff_sign > 0,
    }[relation]


def _points(ctx: Context, n: int):
    """Yield (K, point) pairs: admissible points, cycling K through SIZES when symbolic."""
    rng = random.Random(ctx.seed)
    symbolic = bool(ctx.size_symbols)
    for i in range(n):
        size = SIZES[i % len(SIZES)] if symbolic else None
        point: dict = {}
        for domain in ctx.derivation.domains:
            point.update(domain.sample(rng, size, ctx.dps))
        yield size, point


def _show(point: dict, size: int | None) -> dict[str, str]:
    shown = {str(key): f"{float(v):.6g}" for key, v in point.items()}
    return ({"K": str(size)} if size is not None else {}) | shown


def numeric(step: object, lhs: Expr, rhs: Expr, ctx: Context, n: int) -> tuple[bool, str, dict]:
    """Test the relation at ``n`` points; return (held, detail, counterexample)."""
    with mp.workdps(ctx.dps):
        for size, point in _points(ctx, n):
            lv = _evaluate(lhs, point, size, ctx)
            rv = _evaluate(rhs, point, size, ctx)
            unset = lv.free_symbols | rv.free_symbols
            if unset:
                names = sorted(map(str, unset))
                return False, f"cannot sample: no domain declared for {names}", {}
            if not _holds(lv, rv, step.relation, ctx.dps):
                detail = f"lhs = {_num(lv)} but rhs = {_num(rv)}"
                return False, detail, _show(point, size)
    return True, f"held at {n} points at {ctx.dps} digits", {}


def _num(v: Expr) -> str:
    return f"{float(v):.12g}" if v.is_number and v.is_extended_real and v != zoo else str(v)


def check_step(number: int, step: object, ctx: Context) -> StepCheck:
    """Check one step: a prover, confirmed at a few points, or numeric evidence."""
    lhs, rhs = prepare(step.lhs, ctx.derivation), prepare(step.rhs, ctx.derivation)
    base = {"number": number, "relation": step.relation, "justification": step.justification}
    prover = prove(step, lhs, rhs, ctx)
    n = min(SPOT_CHECKS, ctx.samples) if prover else ctx.samples
    held, detail, where = numeric(step, lhs, rhs, ctx, n)
    if prover and held:
        return StepCheck(**base, method="symbolic", ok=True, detail=f"{prover}; spot-checked")
    if prover:
        detail = f"prover '{prover}' claimed it, but {detail}"
    return StepCheck(
        **base,
        method="symbolic" if prover else "numeric",
        ok=held,
        detail=detail,
        digits=ctx.dps,
        samples=n,
        counterexample=where or None,
    )


def verify(derivation: object, dps: int = 50, samples: int = 32, seed: int = 0) -> Certificate:
    """Check every step of ``derivation``; never claim more than was checked."""
    ctx = Context(derivation, dps, samples, seed)
    steps = tuple(check_step(i, s, ctx) for i, s in enumerate(derivation.steps, start=1))
    chain_checks = tuple(
        ChainCheck(
            c.first + 1,
            c.last + 1,
            f"{text(c.lhs)} {TEXT_RELATIONS[c.relation]} {text(c.rhs)}",
            all(s.ok for s in steps[c.first : c.last + 1]),
            f"{latex(c.lhs)} {LATEX_RELATIONS[c.relation]} {latex(c.rhs)}",
        )
        for c in derivation.chains
    )
    assumptions = tuple(
        str(c) for d in derivation.domains for c in getattr(d, "constraints", list)()
    )
    return Certificate(derivation.id, derivation.title, steps, chain_checks, assumptions)
