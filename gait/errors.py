"""Exception root of the gait core."""

from __future__ import annotations


class GaitError(ValueError):
    """Raised when input to the gait core breaks its contract.

    Parameters
    ----------
    message
        What is wrong and what to do about it, in words a user understands.
    reason
        A short machine-readable code a caller can branch on (for example ``"rate_too_low"``).
    """

    def __init__(self, message: str, *, reason: str = "invalid_input") -> None:
        super().__init__(message)
        self.reason = reason
