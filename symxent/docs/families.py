"""Which chapter of the book a theorem belongs to, from its catalogue ID.

The catalogue grows while the docs are generated from it, so the mapping is by ID prefix
and anything it does not know goes to :data:`OTHER` rather than failing.

>>> family("kl-ce-bernoulli"), family("gaussian-kl"), family("brand-new-theorem")
('Entropy, cross-entropy and KL divergence', 'Continuous distributions', 'Other')
"""

from __future__ import annotations

from collections.abc import Iterable

OTHER = "Other"

# (ID prefix, family), first match wins; the order of first appearance is the book's order.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("kl-ce-", "Entropy, cross-entropy and KL divergence"),
    ("gibbs-", "Entropy, cross-entropy and KL divergence"),
    ("cross-entropy-", "Entropy, cross-entropy and KL divergence"),
    ("zero-conventions", "Entropy, cross-entropy and KL divergence"),
    ("log-base-", "Entropy, cross-entropy and KL divergence"),
    ("coding-", "Entropy, cross-entropy and KL divergence"),
    ("categorical-", "Likelihood and maximum likelihood"),
    ("ce-minimization-", "Likelihood and maximum likelihood"),
    ("ce-loss-", "Losses and their gradients"),
    ("softmax-", "Losses and their gradients"),
    ("mse-", "Losses and their gradients"),
    ("bce-", "Losses and their gradients"),
    ("label-smoothing", "Losses and their gradients"),
    ("gaussian-", "Continuous distributions"),
    ("normal-", "Continuous distributions"),
    ("exponential-", "Continuous distributions"),
    ("laplace-", "Continuous distributions"),
)

ORDER: tuple[str, ...] = (*dict.fromkeys(f for _, f in PREFIXES), OTHER)


def family(derivation_id: str) -> str:
    """The family (book chapter) of a catalogue ID; :data:`OTHER` for an unknown prefix."""
    return next((f for prefix, f in PREFIXES if derivation_id.startswith(prefix)), OTHER)


def grouped(ids: Iterable[str]) -> list[tuple[str, list[str]]]:
    """``(family, ids)`` in book order, keeping the catalogue order within a family.

    Families with no theorem are left out.

    >>> grouped(["gaussian-kl", "x-new", "kl-ce-bernoulli"])
    [('Entropy, cross-entropy and KL divergence', ['kl-ce-bernoulli']), \
('Continuous distributions', ['gaussian-kl']), ('Other', ['x-new'])]
    """
    groups: dict[str, list[str]] = {f: [] for f in ORDER}
    for i in ids:
        groups[family(i)].append(i)
    return [(f, members) for f, members in groups.items() if members]
