"""Shared by the continuous theorems: the measures of two densities, named for display."""

from symxent.measures import cross_entropy, entropy, kl_divergence
from symxent.notation import Named


def named_measures(P: object, Q: object) -> tuple[Named, Named, Named]:
    """KL(p‖q), h(p, q) and h(p), each checked as the closed form symxent.measures integrates."""
    return (
        Named("KL(p‖q)", kl_divergence(P, Q), latex=r"D_{\mathrm{KL}}(p \,\|\, q)"),
        Named("h(p, q)", cross_entropy(P, Q), latex="h(p, q)"),
        Named("h(p)", entropy(P), latex="h(p)"),
    )
