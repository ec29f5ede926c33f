"""categorical-mle: the MLE of a categorical distribution is the empirical PMF (source 000).

The program of 000: minimise −Σ p(k) log q(k) (= H(p, q), minus the log-likelihood over N)
subject to Σ q(k) = 1 and q ≥ 0. Every result below is computed here with SymPy (``diff``,
``solve``) and restated as a step whose left side the checker evaluates again: the
stationarity condition −p(k)/q(k) + λ = 0, the multiplier λ = 1, the solution q̂ = p, the
positive definite Hessian, the KKT conditions with zero multipliers for q ≥ 0, and, for
K = 3, SymPy's solution of the whole stationarity system.
"""

from __future__ import annotations

from sympy import (
    Add,
    Derivative,
    Expr,
    Idx,
    Indexed,
    IndexedBase,
    Sum,
    Symbol,
    Tuple,
    diff,
    log,
    solve,
)
from symxent.proofs.categorical_likelihood import sums_normal_form

from symxent.derivation import Derivation, Step, chain
from symxent.domains import ClassIndex, Real, RealVector, Simplex
from symxent.measures import cross_entropy
from symxent.models import Categorical
from symxent.notation import Named, product, unfold, written
from symxent.registry import register
from symxent.sums import K, normalize_sums, resolve_index_conditions

i, j, k = Idx("i", (1, K)), Idx("j", (1, K)), Idx("k", (1, K))
u, w = Idx("u", (1, K)), Idx("w", (1, K))
# Positive: the log-likelihood needs q > 0, and the interior solution has p > 0.
p, q = IndexedBase("p", positive=True), IndexedBase("q", positive=True)
mu, v = IndexedBase("mu", real=True), IndexedBase("v", real=True)
lam = Symbol("lambda", real=True)


class At(Expr):
    """``expr`` evaluated at a point: derivatives inside are taken first, then substituted.

    Each substitution is ``(old, new)``; for a vector, ``old`` is ``q[i]`` with a dummy
    index ``i`` and ``new`` an expression in ``i`` (``q[i] ↦ p[i]/λ`` for every entry).
    """

    is_commutative = True

    def __new__(cls, expr: Expr, *pairs: tuple[Expr, Expr]) -> At:
        return Expr.__new__(cls, expr, *(Tuple(a, b) for a, b in pairs))

    def unfold(self) -> Expr:
        body = unfold(self.args[0])
        body = body.replace(lambda e: isinstance(e, Derivative), lambda e: e.doit(deep=False))
        body = resolve_index_conditions(body)
        for old, new in self.args[1:]:
            body = substitute(body, old, new)
        return body

    def _latex(self, printer: object) -> str:
        at = ", ".join(f"{printer._print(a)} = {printer._print(b)}" for a, b in self.args[1:])
        return rf"\left. {printer._print(self.args[0])} \right|_{{{at}}}"

    def _sympystr(self, printer: object) -> str:
        at = ", ".join(f"{printer._print(a)} = {printer._print(b)}" for a, b in self.args[1:])
        return f"[{printer._print(self.args[0])}]_({at})"


def substitute(expr: Expr, old: Expr, new: Expr) -> Expr:
    """Replace a symbol, or every entry ``base[t]`` of a vector by ``new`` with i ↦ t."""
    if not isinstance(old, Indexed):
        return expr.xreplace({old: new})
    dummy = old.indices[0]
    return expr.replace(
        lambda e: isinstance(e, Indexed) and e.base == old.base,
        lambda e: new.xreplace({dummy: e.indices[0]}),
    )


def as_written(expr: Expr, last: Expr) -> Expr:
    """The terms of a computed sum in the text's order: those containing ``last`` at the end."""
    terms = Add.make_args(expr)
    return written(*sorted(terms, key=lambda t: t.has(last) if last != 1 else t.is_number))


def settle(expr: Expr) -> Expr:
    """Resolve deltas and index conditions, with Σ p = 1 for the empirical PMF p."""
    return normalize_sums(resolve_index_conditions(expr), [p])


def _objective() -> Expr:
    """H(p, q) from the library's measure, summed over i so that k stays free for the text."""
    plain_p, plain_q = Categorical(K, name="p"), Categorical(K, name="q")
    h = cross_entropy(plain_p, plain_q)
    return h.xreplace({plain_p.base: p, plain_q.base: q}).xreplace({plain_p.index: i})


H = Named("H(p, q)", _objective(), latex="H(p, q)")
CONSTRAINT = Sum(q[i], (i, 1, K)) - 1
LAGRANGIAN = Named("L(q, λ)", H.definition + lam * CONSTRAINT, latex=r"\mathcal{L}(q, \lambda)")

# Computed once, here, and re-derived by the checker from each step's left side.
GRAD_Q = settle(diff(LAGRANGIAN.definition, q[k]))  # −p(k)/q(k) + λ
GRAD_LAMBDA = settle(diff(LAGRANGIAN.definition, lam))  # Σ q − 1
(Q_OF_LAMBDA,) = solve(GRAD_Q, q[k])  # p(k)/λ: the only root
AT_Q_OF_LAMBDA = settle(substitute(GRAD_LAMBDA, q[i], Q_OF_LAMBDA.xreplace({k: i})))
(LAMBDA_HAT,) = solve(AT_Q_OF_LAMBDA, lam)  # 1: the only root
Q_HAT = Q_OF_LAMBDA.xreplace({lam: LAMBDA_HAT})  # p(k)
HESSIAN = settle(diff(LAGRANGIAN.definition, q[j], q[k]))  # δ(j, k) p(j)/q(j)²


def _stationarity() -> list[Step]:
    return [
        *chain(
            LAGRANGIAN,
            (
                "=",
                written(H, product(lam, written(Sum(q[i], (i, 1, K)), -1))),
                "the program of 000: minimise H(p, q) = -(1/N) log-likelihood subject to "
                "sum_i q(i) = 1, with a multiplier lambda for the constraint",
            ),
            (
                "=",
                written(H.definition, product(lam, written(Sum(q[i], (i, 1, K)), -1))),
                "definition of the cross-entropy",
            ),
        ),
        Step(
            Derivative(LAGRANGIAN, q[k]),
            "=",
            as_written(GRAD_Q, lam),
            "differentiate: d/dq(k) of q(i) is 1 exactly when i = k (a Kronecker delta), so "
            "only the i = k terms survive; setting it to 0 is 000's KKT stationarity condition",
        ),
        Step(
            Derivative(LAGRANGIAN, lam),
            "=",
            as_written(GRAD_LAMBDA, 1),
            "differentiating in lambda gives back the constraint",
        ),
    ]


def _solution() -> list[Step]:
    q_of_lambda = (q[i], Q_OF_LAMBDA.xreplace({k: i}))
    return [
        Step(
            At(Derivative(LAGRANGIAN, q[k]), q_of_lambda),
            "=",
            0,
            "solving -p(k)/q(k) + lambda = 0 for q(k) gives q(k) = p(k)/lambda: the MLE is a "
            "multiple of p",
        ),
        Step(
            At(Derivative(LAGRANGIAN, lam), q_of_lambda),
            "=",
            as_written(AT_Q_OF_LAMBDA, 1),
            "put q = p/lambda into the constraint; p is a PMF, so sum_i p(i) = 1",
        ),
        Step(
            At(as_written(AT_Q_OF_LAMBDA, 1), (lam, LAMBDA_HAT)),
            "=",
            0,
            "the only root of 1/lambda - 1 = 0 is lambda = 1",
        ),
        Step(
            Named("q̂(k)", Q_HAT, latex=r"\hat{q}(k)"),
            "=",
            p[k],
            "so the MLE is q(k) = p(k)/1: the empirical PMF",
        ),
        Step(
            At(Derivative(LAGRANGIAN, q[k]), (q[i], p[i]), (lam, LAMBDA_HAT)),
            "=",
            0,
            "check: (q, lambda) = (p, 1) is stationary in q ...",
        ),
        Step(
            At(Derivative(LAGRANGIAN, lam), (q[i], p[i])),
            "=",
            0,
            "... and feasible",
        ),
    ]


def _second_order() -> list[Step]:
    quadratic = Sum(v[u] * v[w] * Derivative(LAGRANGIAN, q[u], q[w]), (u, 1, K), (w, 1, K))
    form = sums_normal_form(unfold(At(quadratic)), [p])
    return [
        Step(
            Derivative(LAGRANGIAN, q[j], q[k]),
            "=",
            HESSIAN,
            "second derivatives: the Hessian is diagonal, diag(p(k)/q(k)^2)",
        ),
        *chain(
            quadratic,
            ("=", form, "the delta keeps only the diagonal terms u = w"),
            (
                ">=",
                0,
                "every term is >= 0, and > 0 where v(k) != 0 since p(k) > 0: the Hessian is "
                "positive definite (on the simplex's tangent space too), so H(p, q) is "
                "strictly convex there and q = p is its minimum, the maximum of the likelihood",
            ),
        ),
    ]


KKT = Named(
    "L(q, λ, μ)",
    LAGRANGIAN.definition - Sum(mu[i] * q[i], (i, 1, K)),
    latex=r"\mathcal{L}(q, \lambda, \mu)",
)
(MU_HAT,) = solve(mu[k] * Q_HAT, mu[k])  # complementary slackness at q̂ = p > 0: μ = 0


def _kkt() -> list[Step]:
    at_solution = ((q[i], Q_HAT.xreplace({k: i})), (lam, LAMBDA_HAT), (mu[i], MU_HAT))
    return [
        Step(
            KKT,
            "=",
            written(LAGRANGIAN, -Sum(mu[i] * q[i], (i, 1, K))),
            "KKT: add a multiplier mu(i) >= 0 for each inequality constraint -q(i) <= 0",
        ),
        Step(
            At(mu[k] * q[k], *at_solution[:1], (mu[k], MU_HAT)),
            "=",
            0,
            "complementary slackness mu(k) q(k) = 0 at q = p > 0 forces mu(k) = 0, which is "
            "dual feasible (mu >= 0): the inequality constraints are inactive",
        ),
        Step(
            At(Derivative(KKT, q[k]), *at_solution),
            "=",
            0,
            "stationarity of the full KKT Lagrangian holds at q = p, lambda = 1, mu = 0",
        ),
    ]


def _three_classes() -> tuple[list[Step], dict]:
    """K = 3: SymPy's ``solve`` of the whole stationarity system, with nothing assumed."""
    p3, q3 = IndexedBase("p", real=True), IndexedBase("q", real=True)
    lagrangian = sum(-p3[m] * log(q3[m]) + lam * q3[m] for m in (1, 2, 3)) - lam
    system = [diff(lagrangian, q3[m]) for m in (1, 2, 3)] + [diff(lagrangian, lam)]
    (solution,) = solve(system, [q3[1], q3[2], q3[3], lam], dict=True)
    why = "solve the four equations dL/dq(1..3) = 0, dL/dlambda = 0 for K = 3; p on the simplex"
    steps = [
        Step(Named(f"q̂({m})", solution[q3[m]], latex=rf"\hat{{q}}({m})"), "=", p3[m], why)
        for m in (1, 2, 3)
    ]
    steps.append(Step(Named("λ̂", solution[lam], latex=r"\hat{\lambda}"), "=", 1, why))
    # p on the simplex: eliminate p(3) so that the check is exact, not numeric.
    return steps, {"domain": Simplex(p3, 3, Idx("m", (1, 3))), "defs": {p3[3]: 1 - p3[1] - p3[2]}}


@register("categorical-mle")
def build() -> Derivation:
    three, extra = _three_classes()
    return Derivation(
        "categorical-mle",
        "The maximum-likelihood estimate of a categorical distribution is the empirical PMF",
        [*_stationarity(), *_solution(), *_second_order(), *_kkt(), *three],
        source="000",
        assumptions=[
            Simplex(p, K, i),
            Simplex(q, K, i),
            Real(lam),
            RealVector(mu, K),
            RealVector(v, K),
            ClassIndex(j, K),
            ClassIndex(k, K),
            extra["domain"],
        ],
        definitions=extra["defs"],
        final=Q_HAT,
        summary=(
            "Maximising the log-likelihood N sum_k p(k) log q(k) over the simplex is "
            "minimising H(p, q) subject to sum_k q(k) = 1 and q >= 0. Differentiating the "
            "Lagrangian gives 000's condition -p(k)/q(k) + lambda = 0; solving with the "
            "constraint gives lambda = 1 and q = p. The Hessian diag(p/q^2) is positive "
            "definite, and the KKT conditions hold with zero multipliers for q >= 0."
        ),
    )
