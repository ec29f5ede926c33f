"""The ``symxent`` command: a thin shell over the library, one module per subcommand.

Exit status: 0 on success, 1 when a verification (or conformance check) fails, 2 on bad
usage or bad input, always with a one-line message and never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..errors import SymxentError, VerificationFailed
from . import codegen, conform, derive, docs, gradient, list_, verify

# name → module with ``add_parser(subparsers)`` and ``run(args) -> int``
COMMANDS = {
    "list": list_,
    "derive": derive,
    "verify": verify,
    "codegen": codegen,
    "gradient": gradient,
    "conform": conform,
    "docs": docs,
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symxent", description=__doc__.splitlines()[0])
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"symxent {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except VerificationFailed as exc:
        print(f"symxent: verification failed: {exc}", file=sys.stderr)
        return 1
    except SymxentError as exc:
        print(f"symxent: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error of ours, and nothing left to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(
            f"symxent: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130
