"""The few exceptions services raise; one error handler turns them into pages for both template sets."""


class ServiceError(Exception):
    """Base for rule violations a resident can be told about."""

    def __init__(self, message: str = "", *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code


class NotFound(ServiceError):
    """The thing does not exist, or the actor may not know that it exists."""


class Forbidden(ServiceError):
    """The actor is known but may not do this."""


class Invalid(ServiceError):
    """The input is wrong; the message says how, in words a resident understands."""
