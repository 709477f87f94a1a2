"""Login limits: one allowance per address however it is typed, counted before the password is checked,
a slowdown (never a lockout) for the member, room for carrier gateways, and the client address behind a proxy."""
from __future__ import annotations

import re
import threading
from types import SimpleNamespace

import pytest

from ejan.extensions import limiter
from ejan.members import services, throttle
from support import PASSWORD

WRONG = "メールアドレスかパスワードが違います。"


def attempt(client, email: str, password: str, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def test_every_spelling_of_an_address_shares_one_allowance(client, make_member):
    member = make_member()  # member1@example.jp
    local, domain = member.email.split("@")
    full_width_domain = domain.translate({ord(c): ord(c) + 0xFEE0 for c in "abcdefghijklmnopqrstuvwxyz"})
    spellings = [member.email, f"{local}@{full_width_domain}", member.email.upper(), f" {local}@{domain.upper()} ",
                 f"{local.upper()}@{full_width_domain}"]
    for typed in spellings:
        assert attempt(client, typed, "guess-again").status_code == 200, typed

    assert attempt(client, member.email, PASSWORD).status_code == 429


def test_simultaneous_wrong_guesses_past_the_allowance_are_not_all_checked(app, make_member, monkeypatch):
    member = make_member()
    client = app.test_client()
    for _ in range(4):
        attempt(client, member.email, "guess-again")
    checked = []
    together = threading.Barrier(3, timeout=3)
    original = services.authenticate

    def slow_check(email, password):
        checked.append(password)
        try:
            together.wait()  # with the fix only one guess gets here, and the barrier gives up
        except threading.BrokenBarrierError:
            pass
        return original(email, password)

    monkeypatch.setattr(services, "authenticate", slow_check)
    statuses = []

    def guess(n):
        with app.app_context():
            statuses.append(attempt(app.test_client(), member.email, f"guess-{n}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(checked) == 1, checked
    assert sorted(statuses) == [200, 429, 429]


def test_a_stranger_guessing_slows_the_member_down_for_seconds_instead_of_locking_her_out(app, client, make_member):
    member = make_member()
    for _ in range(5):
        attempt(client, member.email, "guess-again")

    paused = attempt(app.test_client(), member.email, PASSWORD)

    assert paused.status_code == 429
    seconds = int(paused.headers["Retry-After"])
    assert 0 < seconds <= app.config["EJAN_LOGIN_WAIT_SECONDS"]
    assert re.search(r"\d+秒ほどしてから", paused.get_data(as_text=True))
    # The wait is over (as it would be after those seconds): the member gets in, no quarter-hour lockout.
    limiter.storage.clear(throttle.wait_key(member.email))
    assert attempt(app.test_client(), member.email, PASSWORD).status_code == 302


def test_each_further_wrong_guess_doubles_the_wait_up_to_a_ceiling(app, make_member):
    member = make_member()
    waits = []
    for _ in range(12):
        response = attempt(app.test_client(), member.email, "guess-again")
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            limiter.storage.clear(throttle.wait_key(member.email))
            assert attempt(app.test_client(), member.email, "guess-again").status_code == 200
    first, ceiling = app.config["EJAN_LOGIN_WAIT_SECONDS"], app.config["EJAN_LOGIN_WAIT_MAX_SECONDS"]
    assert waits[0] <= first and waits[1] > first and max(waits) <= ceiling and waits[-1] > ceiling // 2


def test_a_carrier_gateway_address_gets_a_larger_allowance(app, make_member, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_LOGIN_LIMIT_ADDRESS", "3 per 15 minutes")
    monkeypatch.setitem(app.config, "EJAN_LOGIN_LIMIT_GATEWAY", "50 per 15 minutes")
    monkeypatch.setitem(app.config, "EJAN_CARRIER_GATEWAYS", "210.153.84.0/24, 2001:db8::/32")
    member = make_member()
    gateway = app.test_client()
    gateway.environ_base["REMOTE_ADDR"] = "210.153.84.7"
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    for n in range(6):  # six different phones behind one gateway, each mistyping once
        assert attempt(gateway, f"phone{n}@example.jp", "typo").status_code == 200
        attempt(elsewhere, f"phone{n}@example.jp", "typo")

    assert attempt(gateway, member.email, PASSWORD).status_code == 302
    assert attempt(elsewhere, member.email, PASSWORD).status_code == 429


def test_the_limiter_uses_redis_whenever_a_redis_url_is_set(monkeypatch, tmp_path):
    from ejan import config

    monkeypatch.delenv("EJAN_RATELIMIT_STORAGE_URL", raising=False)
    monkeypatch.setenv("EJAN_BROKER_URL", "redis://redis.internal:6379/0")
    assert config.load(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://redis.internal:6379/0"
    monkeypatch.setenv("EJAN_RATELIMIT_STORAGE_URL", "redis://redis.internal:6379/1")
    assert config.load(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://redis.internal:6379/1"
    monkeypatch.delenv("EJAN_RATELIMIT_STORAGE_URL")
    monkeypatch.delenv("EJAN_BROKER_URL")
    assert config.load(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"


def test_a_forged_forwarded_for_header_gives_no_fresh_allowance(app, make_member, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_LOGIN_LIMIT_ADDRESS", "2 per 15 minutes")
    member = make_member()
    client = app.test_client()
    for n in range(2):
        attempt(client, f"guess{n}@example.jp", "typo", headers={"X-Forwarded-For": f"203.0.113.{n}"})
    assert attempt(client, member.email, PASSWORD, headers={"X-Forwarded-For": "203.0.113.99"}).status_code == 429


@pytest.fixture
def proxied_app(app, monkeypatch):
    """The test app passed through the factory's proxy step as configured for one proxy (nginx)."""
    import ejan

    configured = SimpleNamespace(config={**app.config, "EJAN_PROXY_COUNT": 1}, wsgi_app=app.wsgi_app)
    ejan._configure_proxies(configured)
    monkeypatch.setattr(app, "wsgi_app", configured.wsgi_app)
    monkeypatch.setitem(app.config, "EJAN_LOGIN_LIMIT_ADDRESS", "2 per 15 minutes")
    return app


def test_behind_a_configured_proxy_the_limit_is_per_forwarded_client(proxied_app, make_member):
    member = make_member()
    proxy = proxied_app.test_client()  # every request arrives from the proxy's own address
    for n in range(2):
        attempt(proxy, f"guess{n}@example.jp", "typo", headers={"X-Forwarded-For": "203.0.113.1"})

    assert attempt(proxy, member.email, PASSWORD, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    assert attempt(proxy, member.email, PASSWORD, headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 302
