"""kl-ce-bernoulli: H(P,Q) = KL(P‖Q) + H(P) for a coin, step for step as source 002 does it."""

from sympy import Function, Symbol, log

from symxent.derivation import Derivation, Step, chain
from symxent.measures import cross_entropy, entropy, kl_divergence
from symxent.models import Bernoulli
from symxent.notation import Brace, FiniteSum, Named, product, written
from symxent.registry import register

p, q = Symbol("p", positive=True), Symbol("q", positive=True)
P, Q = Function("P"), Function("Q")
i, H, T = Symbol("i"), Symbol("H"), Symbol("T")
true_coin, model_coin = Bernoulli(p), Bernoulli(q)

KL = Named("KL(P‖Q)", kl_divergence(true_coin, model_coin), latex=r"KL(P \,\|\, Q)")
HPQ = Named("H(P, Q)", cross_entropy(true_coin, model_coin), latex="H(P, Q)")
HP = Named("H(P)", entropy(true_coin), latex="H(P)")

# The two brackets of the text: Term 1 is the cross-entropy, Term 2 minus the entropy.
term1 = written(product(-1, p, log(q)), product(-1, 1 - p, log(1 - q)))
term2 = written(product(p, log(p)), product(1 - p, log(1 - p)))
minus_entropy_bracket = written(product(-1, p, log(p)), product(-1, 1 - p, log(1 - p)))


def _kl_expansion() -> list[Step]:
    return chain(
        KL,
        ("=", FiniteSum(P(i) * log(P(i) / Q(i)), i, (H, T)), "definition of the KL divergence"),
        (
            "=",
            written(P(H) * log(P(H) / Q(H)), P(T) * log(P(T) / Q(T))),
            "write out the sum over the two outcomes H and T",
        ),
        (
            "=",
            written(p * log(p / q), (1 - p) * log((1 - p) / (1 - q))),
            "substitute P(H) = p, P(T) = 1 - p, Q(H) = q, Q(T) = 1 - q",
        ),
        (
            "=",
            written(
                product(p, written(log(p), -log(q))),
                product(1 - p, written(log(1 - p), -log(1 - q))),
            ),
            "log rule log(a/b) = log(a) - log(b)",
        ),
        (
            "=",
            written(Brace(term1, "Term 1"), Brace(term2, "Term 2")),
            "rearrange: the terms with log q and log(1-q) first, those with log p after",
        ),
    )


def _cross_entropy_is_term1() -> list[Step]:
    return chain(
        HPQ,
        ("=", FiniteSum(-P(i) * log(Q(i)), i, (H, T)), "definition of the cross-entropy"),
        (
            "=",
            written(-P(H) * log(Q(H)), -P(T) * log(Q(T))),
            "write out the sum over H and T",
        ),
        ("=", term1, "substitute the probabilities: this is exactly Term 1"),
    )


def _entropy_and_term2() -> list[Step]:
    return [
        *chain(
            HP,
            ("=", FiniteSum(-P(i) * log(P(i)), i, (H, T)), "definition of the entropy"),
            ("=", written(-P(H) * log(P(H)), -P(T) * log(P(T))), "write out the sum"),
            ("=", minus_entropy_bracket, "substitute the probabilities"),
        ),
        Step(Brace(term2, "Term 2"), "=", -HP, "Term 2 is the negative of the entropy H(P)"),
    ]


def _connection() -> list[Step]:
    return [
        *chain(
            KL,
            (
                "=",
                written(
                    Brace(term1, "Cross-Entropy H(P, Q)"),
                    product(-1, Brace(minus_entropy_bracket, "Entropy H(P)")),
                ),
                "substitute the definitions back into the expanded KL formula",
            ),
            ("=", written(HPQ, -HP), "name the two brackets"),
        ),
        Step(HPQ, "=", written(KL, HP), "rearrange: the fundamental relationship"),
    ]


@register("kl-ce-bernoulli")
def build() -> Derivation:
    return Derivation(
        "kl-ce-bernoulli",
        "Cross-entropy = KL divergence + entropy, for a coin",
        [*_kl_expansion(), *_cross_entropy_is_term1(), *_entropy_and_term2(), *_connection()],
        source="002",
        assumptions=[true_coin, model_coin],
        definitions={P(H): p, P(T): 1 - p, Q(H): q, Q(T): 1 - q},
        final=HPQ.definition,
        summary=(
            "A true coin P with P(H) = p and a simulating coin Q with Q(H) = q. Expanding the "
            "KL divergence splits it into the cross-entropy (Term 1) and minus the entropy "
            "(Term 2); since H(P) does not depend on Q, minimising H(P, Q) over Q is "
            "minimising KL(P || Q)."
        ),
    )
