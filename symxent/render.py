"""Render derivations as LaTeX, Markdown (GitHub math) and Unicode text.

Expressions are printed by :mod:`symxent.printing` (SymPy printer subclasses that keep the
term order the author wrote); this module lays out whole derivations.
"""

from __future__ import annotations

import unicodedata

from .derivation import Derivation, Step
from .errors import InvalidInput
from .printing import LATEX_RELATIONS, TEXT_RELATIONS, latex, text

JUSTIFICATION_WIDTH = "5.2cm"
SOURCES = {
    "000": "Motivating the cross-entropy loss (categorical likelihood, MLE, the loss)",
    "001": "Textbook chapter: cross-entropy, coding view, Gibbs, the continuous case",
    "002": "Connection between KL divergence and cross-entropy (the coin)",
}


def _continues(steps: tuple[Step, ...], i: int) -> bool:
    return i > 0 and steps[i].lhs == steps[i - 1].rhs


def _latex_lines(d: Derivation, tag_style: str) -> list[str]:
    lines = []
    for i, s in enumerate(d.steps):
        lhs = "" if _continues(d.steps, i) else latex(s.lhs)
        rel = LATEX_RELATIONS[s.relation]
        why = rf"\parbox[t]{{{JUSTIFICATION_WIDTH}}}{{\raggedright\footnotesize ({i + 1}) "
        why += rf"{escape_latex_text(s.justification)}}}"
        note = rf"&& {why}" if tag_style == "text" else rf"&& \text{{({i + 1})}}"
        lines.append(rf"{lhs} &{rel} {latex(s.rhs)} {note}")
    return lines


_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_"}
_TEXT_ESCAPES |= {"{": r"\{", "}": r"\}", "^": r"\^{}", "~": r"\~{}", "$": r"\$"}
# pdflatex's default OT1 text font has no < > |: they would print as ¡ ¿ —.
_TEXT_ESCAPES |= {"<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
# Unicode math in prose, as text-mode LaTeX that pdflatex's default input accepts.
_TEXT_MATH = {"‖": r"\|", "≤": r"\le", "≥": r"\ge", "→": r"\to", "⇒": r"\Rightarrow"}
_TEXT_MATH |= {"·": r"\cdot", "≠": r"\neq", "∈": r"\in", "∞": r"\infty", "∂": r"\partial"}
_TEXT_MATH |= {"⌈": r"\lceil", "⌉": r"\rceil", "∇": r"\nabla", "√": r"\surd", "∝": r"\propto"}
_TEXT_MATH |= {"²": "^2", "₂": "_2", "ᵀ": "^T", "∑": r"\sum", "∏": r"\prod", "×": r"\times"}
_TEXT_MATH |= {"≪": r"\ll", "≫": r"\gg", "≈": r"\approx", "±": r"\pm", "∼": r"\sim"}
_TEXT_MATH |= {
    "½": r"\tfrac12",
    "⁺": "^+",
    "⁻": "^-",
    "∀": r"\forall",
    "∃": r"\exists",
    "↦": r"\mapsto",
}
_TEXT_PLAIN = {"−": "-", "–": "--", "—": "---", "’": "'", "‘": "`", "“": "``", "”": "''"}
_TEXT_PLAIN |= {"…": r"\dots{}", "||": r"$\|$"}


def _greek(c: str) -> str | None:
    """Greek letters, sub- and superscripts as inline-math LaTeX (σ → \\sigma, ₖ → _k)."""
    name = unicodedata.name(c, "")
    if c == "ℓ":
        return r"\ell"
    if name.startswith(("SUBSCRIPT", "LATIN SUBSCRIPT", "SUPERSCRIPT")):
        base = unicodedata.normalize("NFKC", c)
        return ("_{" if "SUBSCRIPT" in name else "^{") + base + "}"
    if not name.startswith("GREEK"):
        return None
    letter = name.split()[-1].lower()
    letter = {"lamda": "lambda", "epsilon": "varepsilon"}.get(letter, letter)
    return "\\" + (letter.capitalize() if "CAPITAL" in name else letter)


def escape_latex_text(s: str) -> str:
    """Escape prose for LaTeX text mode; Unicode math (‖, ≤, σ, …) becomes inline math."""
    s = s.replace("||", "\x00").replace("<=", "≤").replace(">=", "≥")
    out = []
    for c in s:
        if c == "\x00":
            out.append(r"$\|$")
        elif c in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[c])
        elif c in _TEXT_MATH or _greek(c):
            out.append(f"${_TEXT_MATH.get(c) or _greek(c)}$")
        elif c in _TEXT_PLAIN:
            out.append(_TEXT_PLAIN[c])
        elif ord(c) < 128:
            out.append(c)
        else:
            out.append(r"\textit{?}")
    return "".join(out)


def to_latex(d: Derivation, reasons: str = "beside") -> str:
    """An ``align*`` block: one step per line, relations aligned.

    Args:
        d: the derivation.
        reasons: ``"beside"`` sets each justification beside its step; ``"below"`` numbers
            the steps and lists the justifications after the block, for narrow pages.
    """
    if reasons not in ("beside", "below"):
        raise InvalidInput(f"reasons={reasons!r}: expected 'beside' or 'below'")
    style = "text" if reasons == "beside" else "number"
    block = "\\begin{align*}\n" + " \\\\\n".join(_latex_lines(d, style)) + "\n\\end{align*}"
    if reasons == "beside":
        return block
    items = "\n".join(rf"\item {escape_latex_text(s.justification)}" for s in d.steps)
    return block + "\n\\begin{enumerate}\\small\n" + items + "\n\\end{enumerate}"


def to_markdown(d: Derivation) -> str:
    """GitHub-renderable Markdown: a ``$$\\begin{aligned}`` block and numbered reasons."""
    rows = " \\\\\n".join(_latex_lines(d, "number"))
    reasons = "\n".join(f"{i}. {s.justification}" for i, s in enumerate(d.steps, start=1))
    head = f"### {d.title}\n\n"
    if d.summary:
        head += f"{d.summary}\n\n"
    if d.source:
        head += f"Source: `{d.source}`\n\n"
    return head + f"$$\n\\begin{{aligned}}\n{rows}\n\\end{{aligned}}\n$$\n\n{reasons}\n"


def to_text(d: Derivation) -> str:
    """Unicode text, one step per line with its reason underneath."""
    out = [d.title, "=" * len(d.title)]
    for i, s in enumerate(d.steps, start=1):
        lhs = "   " if _continues(d.steps, i - 1) else text(s.lhs)
        out.append(f"({i}) {lhs} {TEXT_RELATIONS[s.relation]} {text(s.rhs)}")
        out.append(f"      because {s.justification}")
    return "\n".join(out)


def standalone(d: Derivation, certificate: object = None) -> str:
    """A complete LaTeX document (amsmath/amssymb only) that compiles with pdflatex."""
    parts = [
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath,amssymb}",
        r"\allowdisplaybreaks",
        # A wide page without the geometry package, so justifications fit beside the steps.
        r"\pdfpagewidth=420mm \pdfpageheight=297mm",
        r"\setlength{\textwidth}{380mm}\setlength{\textheight}{250mm}",
        r"\setlength{\oddsidemargin}{-5.4mm}\setlength{\topmargin}{-10mm}",
        r"\begin{document}",
        rf"\section*{{{escape_latex_text(d.title)}}}",
    ]
    if d.summary:
        parts.append(escape_latex_text(d.summary) + "\n")
    if d.source:
        parts.append(rf"\noindent Source text: \texttt{{{d.source}}}.\par")
    parts.append(r"{\small" + "\n" + to_latex(d) + "\n}")
    if certificate is not None:
        parts.append(certificate_latex(certificate))
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def certificate_latex(cert: object) -> str:
    """A tabular listing how each step was checked."""
    rows = [
        rf"{s.number} & ${LATEX_RELATIONS[s.relation]}$ & {s.method} & {s.status} & "
        rf"{escape_latex_text(s.detail)} \\"
        for s in cert.steps
    ]
    verdict = "verified" if cert.ok else "NOT verified"
    return "\n".join(
        [
            rf"\subsection*{{Certificate: {verdict}}}",
            r"\begin{tabular}{rllll}",
            r"step & rel. & method & status & how \\ \hline",
            *rows,
            r"\end{tabular}",
        ]
    )
