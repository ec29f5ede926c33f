"""The exception hierarchy: every error symxent raises on purpose is one of these."""

from __future__ import annotations


class SymxentError(Exception):
    """Base class of every error symxent raises on purpose."""


class InvalidInput(SymxentError, ValueError):
    """A value, formula or argument is not admissible; the message says which and why."""


class NotSupported(SymxentError):
    """The input is valid but lies outside what symxent can do."""


class VerificationFailed(SymxentError):
    """A derivation step does not hold; carries the failing certificate."""

    def __init__(self, message: str, certificate: object = None) -> None:
        super().__init__(message)
        self.certificate = certificate
