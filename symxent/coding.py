"""Shannon code lengths, Kraft sums and an actual prefix code built from the lengths.

A code designed for a model ``q`` gives outcome ``x`` the Shannon length
``L(x) = ⌈−log₂ q(x)⌉``. These lengths satisfy Kraft's inequality ``Σ 2^(−L) ≤ 1``, so a
prefix code with exactly these lengths exists; :func:`canonical_code` builds one. All
arithmetic is exact (``fractions.Fraction``), so a length is never off by one from float
rounding, even for probabilities like 1e-300.

>>> from fractions import Fraction
>>> q = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 8), Fraction(1, 8)]
>>> shannon_lengths(q)
[1, 2, 3, 3]
>>> canonical_code([1, 2, 3, 3])
['0', '10', '110', '111']
>>> kraft_sum([1, 2, 3, 3])
Fraction(1, 1)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise
from numbers import Rational

from .errors import InvalidInput

Probability = float | int | Rational


def _exact(value: object, where: str) -> Fraction:
    if isinstance(value, bool | str | bytes) or value is None:
        raise InvalidInput(f"{where} = {value!r} is not a number; give a probability in (0, 1]")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{where} = {value} is not finite; give a probability in (0, 1]")
    if not isinstance(value, float | int | Rational):
        try:  # SymPy Floats and mpmath values convert exactly through their decimal form
            value = Fraction(str(value))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"{where} = {value!r} is not a number") from exc
    exact = Fraction(value)
    if not 0 < exact <= 1:
        raise InvalidInput(f"{where} = {value} must lie in (0, 1]; q(x) = 0 gets no codeword")
    return exact


def shannon_length(q: Probability) -> int:
    """⌈−log₂ q⌉: the least integer ``L ≥ 0`` with ``2^(−L) ≤ q``, computed exactly.

    >>> shannon_length(0.3), shannon_length(1), shannon_length(1e-300)
    (2, 0, 997)
    """
    exact = _exact(q, "q")
    n, d = exact.numerator, exact.denominator
    # 2^(−L) ≤ n/d  ⟺  d ≤ n·2^L; start from the bit-length estimate and step up.
    length = max(0, d.bit_length() - n.bit_length() - 1)
    while n << length < d:
        length += 1
    return length


def shannon_lengths(q: Sequence[Probability]) -> list[int]:
    """Shannon lengths of every outcome of the model ``q``."""
    return [shannon_length(_exact(v, f"q[{i}]")) for i, v in enumerate(q)]


def kraft_sum(lengths: Sequence[int]) -> Fraction:
    """Σ 2^(−L(x)), exactly; a prefix code with these lengths exists iff it is ≤ 1."""
    if any(not isinstance(n, int) or n < 0 for n in lengths):
        raise InvalidInput(f"code lengths must be nonnegative integers, got {list(lengths)}")
    return sum((Fraction(1, 2**n) for n in lengths), Fraction(0))


def canonical_code(lengths: Sequence[int]) -> list[str]:
    """Binary codewords with the given lengths (in input order), none a prefix of another.

    Codewords are handed out in order of length: each is the previous one plus one, shifted
    left to the new length. Kraft's inequality is exactly what keeps this from overflowing.
    """
    if kraft_sum(lengths) > 1:
        raise InvalidInput(f"lengths {list(lengths)} violate Kraft's inequality: no prefix code")
    words: list[str] = [""] * len(lengths)
    code, previous = 0, 0
    for i in sorted(range(len(lengths)), key=lambda i: (lengths[i], i)):
        code <<= lengths[i] - previous
        words[i] = format(code, "b").zfill(lengths[i]) if lengths[i] else ""
        code, previous = code + 1, lengths[i]
    return words


def is_prefix_free(words: Sequence[str]) -> bool:
    """True when no codeword is a prefix of another (duplicates count as prefixes)."""
    ordered = sorted(words)
    return all(not b.startswith(a) for a, b in pairwise(ordered))


def expected_length(p: Sequence[Probability], lengths: Sequence[int]) -> Fraction:
    """E_p[L] = Σ p(x) L(x), exactly (entries of ``p`` may be 0)."""
    if len(p) != len(lengths):
        raise InvalidInput(f"{len(p)} probabilities but {len(lengths)} code lengths")
    return sum((Fraction(v) * n for v, n in zip(p, lengths, strict=True)), Fraction(0))


def shannon_code(q: Sequence[Probability]) -> list[str]:
    """A prefix code whose codeword for outcome x has length ⌈−log₂ q(x)⌉.

    >>> shannon_code([0.5, 0.25, 0.25])
    ['0', '10', '11']
    """
    return canonical_code(shannon_lengths(q))
