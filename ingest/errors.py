"""Exception root of the ingest layer."""

from __future__ import annotations


class IngestError(ValueError):
    """Raised when a file, stream or sensor cannot be turned into gait input.

    Parameters
    ----------
    message
        What is wrong and what to do about it.
    reason
        Short machine-readable code a caller can branch on (for example ``"missing_columns"``).
    """

    def __init__(self, message: str, *, reason: str = "unreadable") -> None:
        super().__init__(message)
        self.reason = reason
