"""Exceptions and warnings raised by socvit.

Every error message is one paragraph that names the file, column, row or item and the value
that caused it, and says what to do.
"""

__all__ = ["DataError", "CodebookError", "SocvitWarning"]


class DataError(ValueError):
    """Input data (a panel file, a column, weights, margins) cannot be used as given."""


class CodebookError(DataError):
    """A codebook file or entry is malformed."""


class SocvitWarning(UserWarning):
    """Something a researcher should look at, but which does not stop the analysis."""
