"""The domain error every service raises instead of returning (ok, message) tuples."""


class DomainError(Exception):
    """A business rule refused the request; `message` is fit to show the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing asked for does not exist (or is not the caller's to see)."""
