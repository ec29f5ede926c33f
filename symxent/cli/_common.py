"""Helpers shared by the subcommands: atomic output, argument types."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def write_output(text: str, path: str | None) -> None:
    """Print ``text``, or write it to ``path`` atomically (a failed write leaves no half file)."""
    text = text if text.endswith("\n") else text + "\n"
    if path is None or path == "-":
        sys.stdout.write(text)
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".symxent-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def int_in(lo: int, hi: int):
    """An argparse type: an integer in [lo, hi], with a one-line error otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is outside {lo}..{hi}")
        return value

    return parse
