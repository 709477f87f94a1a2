"""Login throttling: slow password guessing down without letting a stranger lock a member out.

Two counters, both counted *before* the password is checked (so wrong guesses sent at the same
moment cannot all be evaluated) and given back when the login succeeds (a member logging in often
never uses up anything):

- per account, keyed on the normalized e-mail address (however it was typed): the first failures
  of the window are answered at once; from the last free one on, each attempt opens a wait before
  the next may be tried, doubling up to a ceiling. A stranger guessing a member's password makes
  her wait seconds to minutes ("try again in N seconds"), never a quarter of an hour; no worker
  ever sleeps.
- per client address: a ceiling on attempts from one address; a carrier gateway (many i-mode
  users behind a few addresses) gets a far larger one, and the per-account waits still hold there.

Counters live in the limiter's storage (Redis whenever a Redis URL is configured), so every web
worker and machine sees the same ones. Free of Flask: the view passes plain values in.
"""
from __future__ import annotations

import ipaddress
import math
import time
import unicodedata
from dataclasses import dataclass

from limits import parse
from limits.storage import Storage

from ..errors import Invalid
from .services import normalize_email


class Slowed(Exception):
    """Not now: the caller may try again in `seconds`."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def account_key(typed_email: str | None) -> str:
    """The same key for every spelling login accepts for one address (case, width, spaces)."""
    try:
        return normalize_email(typed_email or "")
    except Invalid:
        return unicodedata.normalize("NFKC", typed_email or "").strip().lower()


def in_networks(address: str, networks: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net.strip(), strict=False) for net in networks.split(",") if net.strip())


@dataclass
class Attempt:
    throttle: LoginThrottle
    account: str
    address_key: str
    opened_wait: bool

    def succeeded(self) -> None:
        """The password was right: this attempt was no guess, give its counts back."""
        self.throttle._give_back(self.account, self.address_key, opened_wait=self.opened_wait)


class LoginThrottle:
    def __init__(self, storage: Storage, *, account_limit: str, address_limit: str, gateway_limit: str,
                 gateways: str, first_wait: int, max_wait: int):
        self.storage = storage
        self.account_limit = parse(account_limit)
        self.address_limit = parse(address_limit)
        self.gateway_limit = parse(gateway_limit)
        self.gateways = gateways
        self.first_wait = first_wait
        self.max_wait = max_wait

    def begin(self, typed_email: str | None, address: str | None) -> Attempt:
        """Count this attempt, or raise Slowed without counting it."""
        account = account_key(typed_email)
        address = address or "unknown"
        limit = self.gateway_limit if in_networks(address, self.gateways) else self.address_limit
        address_key = f"login-address:{address}"
        if self.storage.incr(address_key, limit.get_expiry()) > limit.amount:
            self.storage.incr(address_key, limit.get_expiry(), -1)  # a refused attempt is no guess
            raise Slowed(self._seconds_left(address_key))
        count_key = _count_key(account)
        count = self.storage.incr(count_key, self.account_limit.get_expiry())
        opened_wait = False
        if count >= self.account_limit.amount:
            wait = min(self.first_wait * 2 ** (count - self.account_limit.amount), self.max_wait)
            # Only the first caller into a free slot gets 1: simultaneous guesses cannot share it.
            if self.storage.incr(wait_key(account), wait) > 1:
                self.storage.incr(count_key, self.account_limit.get_expiry(), -1)
                self.storage.incr(address_key, limit.get_expiry(), -1)
                raise Slowed(self._seconds_left(wait_key(account)))
            opened_wait = True
        return Attempt(self, account, address_key, opened_wait)

    def _give_back(self, account: str, address_key: str, *, opened_wait: bool) -> None:
        self.storage.incr(_count_key(account), self.account_limit.get_expiry(), -1)
        self.storage.incr(address_key, self.address_limit.get_expiry(), -1)
        if opened_wait:
            self.storage.clear(wait_key(account))

    def _seconds_left(self, key: str) -> int:
        return max(1, math.ceil(self.storage.get_expiry(key) - time.time()))


def _count_key(account: str) -> str:
    return f"login-account:{account}"


def wait_key(account: str) -> str:
    return f"login-wait:{account}"
