"""The few exceptions services raise; one error handler turns them into pages for both template sets."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")


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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission: the field it belongs to (None: the form as a whole) and what to say."""
    code: str | None
    message: str


class Invalid(ServiceError):
    """The input is wrong; the message says how, in words a resident understands.

    One Invalid may carry every problem of one submission (`problems`), so a form shows them all at
    once instead of one per try; `message` and `code` are the first of them."""

    def __init__(self, message: str = "", *, code: str | None = None, problems: Iterable[Problem] = ()):
        problems = list(problems) or [Problem(code, message)]
        super().__init__(message or problems[0].message, code=code if message else problems[0].code)
        self.problems = problems


class Problems:
    """Collects what is wrong with one submission, so a service can raise it all in one Invalid.

        problems = Problems()
        title = problems.check(_clean_title, title)   # None when it was wrong
        if not body:
            problems.add(_("本文を入力してください。"), "body")
        problems.raise_any()
    """

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, message: str, code: str | None = None) -> None:
        self.found.append(Problem(code, message))

    def check(self, rule: Callable[..., T], *args, **kwargs) -> T | None:
        """Run a rule that raises Invalid; keep its problems and go on to the next rule."""
        try:
            return rule(*args, **kwargs)
        except Invalid as error:
            self.found.extend(error.problems)
            return None

    def has(self, code: str | None) -> bool:
        return any(problem.code == code for problem in self.found)

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_any(self) -> None:
        if self.found:
            raise Invalid(problems=self.found)
