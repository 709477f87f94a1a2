"""Fuzzing every route with hostile values: no input, however malformed, gives a server error.

Every rule of the URL map is tried with GET and its POST, from a PC and from Shift_JIS and
cookieless phones, with path values, query parameters and form fields drawn from: invalid UTF-8 and
Shift_JIS bytes, NUL and other control characters, huge and negative numbers, long strings, and the
ids of things that exist. The app runs with exceptions propagating (testing mode), so any 500 fails.

CI runs a small number of examples (hypothesis profile "ci"); run many more with
`EJAN_FUZZ_PROFILE=deep bash scripts/test.sh tests/hardening/test_fuzz.py`.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import ejan
from ejan.forms import BaseForm
from support import PASSWORD, PC_UA, phone_ua

settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("deep", max_examples=4000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = os.environ.get("EJAN_FUZZ_PROFILE", "ci")

# Routes that end the fuzzing client's own session are left out, so later examples stay logged in.
SKIP_ENDPOINTS = {"static", "members.logout"}
QUERY_NAMES = ("page", "q", "part", "next", "back", "url", "view", "lang", "ejs", "which", "year", "month",
               "token", "status", "bbox", "category", "lat", "lon", "pos", "district")

HOSTILE_TEXT = [
    b"\x00", b"\xff\xfe", b"\x82", b"\x82\xa0\x00", b"\xe8\x8c", b"\xed\xa0\x80", b"%", b"%zz", b"\r\nX: y",
    b"\x1b[2J", b"../../etc/passwd", b"<script>alert(1)</script>", "ação 𠮷 🍵 안녕".encode(),
    "お茶".encode("cp932"), b"9" * 40, b"-1", b"0", b"2147483648", b"1e309", b"NaN", b"0001-01-01",
    b"9999-12-31", b"http://[", b"//evil.example", b"/\\evil", b"a" * 5000,
]


def field_names() -> list[str]:
    """Every field of every form in ejan, found by importing the forms modules."""
    for module in pkgutil.walk_packages(ejan.__path__, "ejan."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    names, todo = set(), list(BaseForm.__subclasses__())
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        names.update(name for name in dir(form) if not name.startswith("_")
                     and hasattr(getattr(form, name), "field_class"))
    return sorted(names)


FIELDS = field_names()


def raw_values(ids: list[int]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.binary(max_size=40),
        st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.integers(min_value=-(10**30), max_value=10**30).map(lambda n: str(n).encode()),
        st.sampled_from(ids).map(lambda n: str(n).encode()),
    )


def encode_pairs(pairs: list[tuple[bytes, bytes]]) -> str:
    return "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs)


@pytest.fixture
def world(app, make_member, befriend):
    """A small site with one of each thing, so routes with ids reach their real code paths."""
    from datetime import timedelta

    from ejan.clock import utcnow
    from ejan.communities import directory, events, membership, topics
    from ejan.diary import services as diary
    from ejan.diary.models import MEMBERS
    from ejan.surveys import builder as surveys

    me, friend = make_member("佐藤"), make_member("鈴木")
    befriend(me, friend)
    entry = diary.create_entry(friend, title="新茶", body="🍵 お茶", visibility=MEMBERS)
    diary.add_comment(me, entry.id, "いいですね")
    community = directory.create_community(friend, name="倉真の茶畑", category="趣味", description="お茶")
    membership.join(me, community.id)
    topic = topics.create_topic(friend, community.id, title="新茶の摘み方", body="手摘みで")
    comment = topics.add_comment(me, topic.id, "参加します")
    event = events.create_event(friend, community.id, title="茶摘み", starts_at=utcnow() + timedelta(days=2),
                                place="倉真")
    survey = surveys.create_survey(friend, title="茶摘みの日程", opens_at=utcnow() - timedelta(hours=1),
                                   closes_at=utcnow() + timedelta(days=7), community_id=community.id)
    question = surveys.add_question(friend, survey.id, kind="single", prompt="都合のよい日", options="土曜\n日曜")
    surveys.publish(friend, survey.id)
    from ejan.geo.boundary import CITY_HALL
    from ejan.maps import services as maps

    pin = maps.create_pin(me, maps.PinInput(title="掛川城", category="facility", lat=CITY_HALL[0], lon=CITY_HALL[1],
                                            community_id=community.id, event_id=event.id))
    ids = [me.id, friend.id, entry.id, community.id, topic.id, comment.id, event.id, survey.id, question.id,
           pin.id, 1, 2, 3]
    return me, sorted(set(ids))


def clients(app, member):
    made = {}
    for kind, ua, cookies in (("pc", PC_UA, True), ("au", phone_ua("au"), True),
                              ("docomo", phone_ua("docomo_nocookie"), False)):
        client = app.test_client(use_cookies=cookies)
        client.environ_base["HTTP_USER_AGENT"] = ua
        if cookies:
            client.post("/login", data={"email": member.email, "password": PASSWORD})
        made[kind] = client
    return made


def rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIP_ENDPOINTS),
                  key=lambda rule: rule.rule)


def build_path(rule, values: dict[str, bytes]) -> str:
    path = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument]
        raw = values[argument]
        if type(converter).__name__ in ("IdConverter", "IntegerConverter"):
            digits = "".join(ch for ch in raw.decode("latin-1") if ch.isdigit() or ch == "-")
            text = digits or "0"
        else:
            text = quote_from_bytes(raw, safe="") or "x"
        path = path.replace(f"<{rule._converters[argument] and _placeholder(rule, argument)}>", text)
    return path


def _placeholder(rule, argument: str) -> str:
    for part in rule.rule.split("<")[1:]:
        inside = part.split(">")[0]
        if inside.split(":")[-1] == argument:
            return inside
    return argument


@pytest.mark.parametrize("device", ["pc", "au", "docomo"])
def test_no_route_answers_hostile_input_with_a_server_error(app, world, device, monkeypatch):
    monkeypatch.setitem(app.config, "EJAN_STRICT_PAGE_BUDGET", False)  # a 5,000-byte query may overflow a page
    me, ids = world
    client = clients(app, me)[device]
    all_rules = rules(app)
    tried = []

    @settings(settings.get_profile(PROFILE))
    @given(data=st.data())
    def attempt(data):
        tried.append(True)
        rule = data.draw(st.sampled_from(all_rules), label="rule")
        values = {argument: data.draw(raw_values(ids), label=argument) for argument in rule.arguments}
        path = build_path(rule, values)
        query = data.draw(st.lists(st.tuples(st.sampled_from(QUERY_NAMES).map(str.encode), raw_values(ids)),
                                   max_size=3), label="query")
        method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})), label="method")
        if method == "GET":
            response = client.get(path, query_string=encode_pairs(query))
        else:
            form = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS).map(str.encode), raw_values(ids)),
                                      max_size=6), label="form")
            response = client.open(path, method=method, query_string=encode_pairs(query),
                                   data=encode_pairs(form), content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, (method, path, query)

    attempt()
    print(f"{device}: {len(tried)} requests, none answered with a server error")  # shown with -s (README: Fuzzing)


SHARDS = 4  # the routes in four parts per device, so parallel test workers (pytest -n) share the minute


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("device", ["pc", "au", "docomo"])
def test_every_route_survives_each_hostile_value_in_every_parameter_at_once(app, world, device, shard, monkeypatch):
    """The systematic half: each route, each hostile value in every path, query and form slot."""
    monkeypatch.setitem(app.config, "EJAN_STRICT_PAGE_BUDGET", False)
    me, _ids = world
    client = clients(app, me)[device]
    for rule in rules(app)[shard::SHARDS]:
        for value in HOSTILE_TEXT:
            path = build_path(rule, {argument: value for argument in rule.arguments})
            query = encode_pairs([(name.encode(), value) for name in QUERY_NAMES])
            if "GET" in rule.methods:
                assert client.get(path, query_string=query).status_code < 500, (path, value)
            if "POST" in rule.methods and device != "docomo":
                form = encode_pairs([(name.encode(), value) for name in FIELDS])
                response = client.post(path, query_string=query, data=form,
                                       content_type="application/x-www-form-urlencoded")
                assert response.status_code < 500, ("POST", path, value)


def test_the_fuzzer_builds_paths_for_every_converter(app):
    for rule in rules(app):
        path = build_path(rule, {argument: b"12" for argument in rule.arguments})
        assert "<" not in path, rule.rule


def test_the_fuzz_world_has_a_community_with_a_topic_a_comment_and_an_event(world):
    """Routes with ids reach real rows only if the world builds them: once it silently built none."""
    from sqlalchemy import func, select

    from ejan.communities.models import Community, Event, Membership, Topic, TopicComment
    from ejan.extensions import db

    me, ids = world
    for model in (Community, Topic, TopicComment, Event):
        found = db.session.scalars(select(model.id)).all()
        assert len(found) == 1 and found[0] in ids, model.__name__
    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.member_id == me.id)) == 1
