"""The ``jax`` target: JAX's own primitives, composed as optax composes its losses.

optax is not required; each function is the formula of the optax loss named beside it.
float64 inputs are computed inside JAX's x64 context manager, so a conformance run never
flips JAX's global ``jax_enable_x64`` flag; a JAX without that context manager cannot
compute in float64 without a global switch, and its float64 calls raise, asking for
``--dtype float32``.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable

import numpy as np

from .targets import NAN_MASKED_CE, NAN_MASKED_KL, Target, optional

__all__ = ["jax_targets"]


def _x64(jax: object) -> contextlib.AbstractContextManager | None:
    """JAX's scoped x64 switch: ``jax.enable_x64(True)`` (new) or the experimental one."""
    if callable(getattr(jax, "enable_x64", None)):
        return jax.enable_x64(True)
    experimental = getattr(jax, "experimental", None)
    if callable(getattr(experimental, "enable_x64", None)):
        return experimental.enable_x64()
    return None


def _jax_call(fn: Callable[..., object]) -> Callable[..., np.ndarray]:
    """``fn`` on JAX arrays made from its NumPy arguments, its result back as NumPy."""

    def call(*args: object, **kw: object) -> np.ndarray:
        import jax
        import jax.numpy as jnp

        wide = any(np.asarray(a).dtype == np.float64 for a in args)
        scope = _x64(jax) if wide else contextlib.nullcontext()
        if scope is None:
            raise RuntimeError("this JAX has no scoped x64 mode; use --dtype float32")
        with scope:  # arrays must be made inside the scope, or they are float32
            return np.asarray(fn(*(jnp.asarray(a) for a in args), **kw))

    call.__signature__ = inspect.signature(fn)
    return call


def _ce(logits, labels):  # optax.softmax_cross_entropy_with_integer_labels
    import jax
    import jax.numpy as jnp

    picked = jnp.take_along_axis(logits, labels[..., None], axis=-1)[..., 0]
    return jax.nn.logsumexp(logits, axis=-1) - picked


def _ce_probs(logits, probs):  # optax.softmax_cross_entropy
    import jax
    import jax.numpy as jnp

    return -jnp.sum(probs * jax.nn.log_softmax(logits, axis=-1), axis=-1)


def _bce_logits(logits, targets):  # optax.sigmoid_binary_cross_entropy
    import jax

    log_p, log_not_p = jax.nn.log_sigmoid(logits), jax.nn.log_sigmoid(-logits)
    return -targets * log_p - (1.0 - targets) * log_not_p


def _kl(log_q, p):  # optax.kl_divergence(log_predictions=log_q, targets=p)
    import jax.numpy as jnp
    from jax.scipy.special import xlogy

    return jnp.sum(xlogy(p, p) - p * log_q, axis=-1)


def _entropy(p):
    import jax.numpy as jnp
    from jax.scipy.special import entr

    return jnp.sum(entr(p), axis=-1)


def jax_targets() -> dict[str, Target]:
    """The JAX targets by loss ID (``InvalidInput`` if JAX is not installed)."""
    optional("jax", "pip install jax")
    named = {
        "ce-loss-one-hot": ("jax.nn.logsumexp(z) − z_y", _ce, ()),
        "ce-probability-targets": ("jax.nn.log_softmax", _ce_probs, (NAN_MASKED_CE,)),
        "bce-logits": ("jax.nn.log_sigmoid", _bce_logits, ()),
        "kl-divergence": ("jax.scipy.special.xlogy", _kl, (NAN_MASKED_KL,)),
        "entropy": ("jax.scipy.special.entr", _entropy, ()),
    }
    return {loss: Target(n, _jax_call(f), d) for loss, (n, f, d) in named.items()}
