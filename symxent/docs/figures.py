"""The figures of the docs: what the plots show is computed by symxent, drawn by matplotlib.

Each :class:`Figure` separates its *data* (NumPy arrays from symxent's measures, losses,
simulation and accuracy reports; no matplotlib needed) from its *drawing*. The data of all
figures is summarised in ``figures/data.sha256``, a text file that the staleness check can
compare exactly, while the SVG/PNG bytes depend on the matplotlib and FreeType versions.

Drawing is deterministic: the Agg backend, a fixed ``svg.hashsalt``, no date or software
metadata, fixed seeds for the simulation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import NotSupported
from . import plots

Data = dict[str, np.ndarray]
DIGEST_FILE = "data.sha256"
PNG_DPI = 150


@dataclass(frozen=True)
class Figure:
    """One figure: its file stem, caption, the theorems it illustrates, data and drawing."""

    name: str
    caption: str
    related: tuple[str, ...]
    data: Callable[[], Data]
    draw: Callable[[object, Data], None]


FIGURES: tuple[Figure, ...] = (
    Figure(
        "coin-cross-entropy-kl",
        "Cross-entropy H(p, q) and KL(p || q) of a coin as functions of q: each is smallest "
        "at q = p, where KL = 0 and H(p, q) = H(p).",
        ("kl-ce-bernoulli", "cross-entropy-minimum", "gibbs-inequality"),
        plots.coin_data,
        plots.coin_draw,
    ),
    Figure(
        "cross-entropy-asymmetry",
        "H(p, q) and H(q, p) for a coin with p = 0.2, and their difference over (p, q): "
        "cross-entropy is not symmetric.",
        ("cross-entropy-asymmetry",),
        plots.asymmetry_data,
        plots.asymmetry_draw,
    ),
    Figure(
        "mse-vs-ce-gradient",
        "Size of the gradient with respect to the logits, through a softmax over 3 classes, "
        "as the true-class probability goes to 0: cross-entropy keeps pushing, squared error "
        "stalls.",
        ("mse-vs-ce-gradient", "softmax-ce-gradient"),
        plots.gradient_data,
        plots.gradient_draw,
    ),
    Figure(
        "empirical-pmf",
        "The empirical PMF of N simulated rolls of a die converges to q (one sample path, "
        "seed 0); its largest error shrinks like 1/sqrt(N).",
        ("categorical-likelihood", "ce-minimization-is-mle"),
        plots.lln_data,
        plots.lln_draw,
    ),
    Figure(
        "naive-vs-stable",
        "Error in bits, log2(1 + ULPs) against 50-digit mpmath, of naive code "
        "(sympy.lambdify) and symxent's stable code: softplus log(1 + e^x) and the "
        "softmax cross-entropy of logits (x, 0, 0) with label 0.",
        ("ce-loss-one-hot", "bce-logits"),
        plots.accuracy_data,
        plots.accuracy_draw,
    ),
)


def _digest(data: Data) -> str:
    """SHA-256 of the data to 9 significant digits and 1e-10 absolute, so that last-bit
    noise (another libm, a rewritten but equal formula) does not count as a change; the
    absolute rounding matters near zero, where the last bit is a large relative change."""
    h = hashlib.sha256()
    for key in sorted(data):
        values = np.round(np.asarray(data[key], dtype=float).ravel(), 10) + 0.0  # -0.0 → 0.0
        h.update(key.encode() + b"\n")
        h.update(" ".join(f"{v:.8e}" for v in values).encode())
    return h.hexdigest()


def digests(figures: tuple[Figure, ...] = FIGURES) -> tuple[str, dict[str, Data]]:
    """The text of ``data.sha256`` and every figure's data by name."""
    data = {f.name: f.data() for f in figures}
    text = "".join(f"{_digest(data[f.name])}  {f.name}\n" for f in figures)
    return text, data


def require_matplotlib() -> object:
    """matplotlib, or ``NotSupported`` saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise NotSupported(
            "the docs' figures need matplotlib: pip install 'symxent[plot]'"
        ) from None
    return matplotlib


def write(folder: Path, figures: tuple[Figure, ...] = FIGURES) -> list[Path]:
    """Compute and draw every figure into ``folder`` as SVG and PNG, plus ``data.sha256``."""
    matplotlib = require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    folder.mkdir(parents=True, exist_ok=True)
    text, data = digests(figures)
    written = [folder / DIGEST_FILE]
    written[0].write_text(text, encoding="utf-8")
    style = {"svg.hashsalt": "symxent", "font.size": 9, "axes.grid": True, "grid.alpha": 0.3}
    with matplotlib.rc_context(style):
        for f in figures:
            fig = MplFigure(figsize=(8, 3.4), layout="constrained")
            FigureCanvasAgg(fig)
            f.draw(fig, data[f.name])
            svg, png = folder / f"{f.name}.svg", folder / f"{f.name}.png"
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
            fig.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
            written += [svg, png]
    return written
