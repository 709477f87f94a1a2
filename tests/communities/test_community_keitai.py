"""Communities on a 2007 phone: a cookieless DoCoMo (i-mode browser 1.0, Shift_JIS, the session carried in
every URL as ?ejs=…) browses the list, joins, reads a topic and writes a comment; every page stays inside
its 10 KB budget (the app raises in tests when one does not) and comments come five to a page."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select

from ejan.clock import jst_to_utc, today_jst
from ejan.communities import events, membership, topics
from ejan.communities.models import (APPROVAL, GOING, MEMBER, MEMBERS_ONLY, NOT_GOING, PENDING, Membership,
                                     TopicComment)
from ejan.extensions import db
from helpers_communities import (count, form_action, hidden_fields, html_of, in_two_days, keitai_login, links,
                                 open_community, path_of, role_in, sjis_post)

BUDGET = 10 * 1024
PARAM = "ejs"
# 髙 and ① exist only in cp932 (NEC/IBM extensions); ～ is the wave dash every phone sends as 0x8160.
WRITTEN_ON_A_PHONE = "髙橋さんの茶畑で①番茶を摘みました～。また来週！"


def keitai_page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.headers.get("Location"))
    assert response.content_type == "text/html; charset=Shift_JIS"
    assert len(response.data) <= BUDGET, f"{url} is {len(response.data)} bytes"
    return html_of(response)


def session_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)[PARAM][0]


def carrying(path: str, token: str, **args) -> str:
    return f"{path}?{urlencode({**args, PARAM: token})}"


def only_link(html: str, contains: str) -> str:
    found = links(html, contains)
    assert found, f"no link to {contains}"
    return found[0]


@pytest.fixture
def docomo(keitai):
    """A logged-in cookieless DoCoMo: (client, session token)."""
    def log_in(member):
        phone = keitai("docomo_nocookie")
        landing = keitai_login(phone, member)
        return phone, session_of(landing)

    return log_in


# --- browse, join, read, write ------------------------------------------------------------------------------

def test_a_cookieless_docomo_browses_joins_reads_and_comments_in_shift_jis(make_member, docomo):
    owner, me = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner, "掛川茶の会", category="趣味")
    topic = topics.create_topic(owner, community.id, title="今年の一番茶", body="摘み取りの日を決めましょう")
    phone, token = docomo(me)

    listing = keitai_page(phone, carrying("/communities", token))
    assert "掛川茶の会" in listing
    top_url = only_link(listing, f"/communities/{community.id}")
    assert session_of(top_url) == token, "links carry the session"
    top = keitai_page(phone, top_url)
    assert "今年の一番茶" in top  # topics visible to the site: readable before joining

    join_page = keitai_page(phone, only_link(top, f"/communities/{community.id}/join"))
    response = sjis_post(phone, form_action(join_page, "/join"), {})
    assert response.status_code == 302
    assert session_of(response.headers["Location"]) == token
    assert "参加しました" in keitai_page(phone, response.headers["Location"])
    assert role_in(community.id, me.id) == MEMBER

    topic_page = keitai_page(phone, only_link(keitai_page(phone, top_url), f"/topics/{topic.id}"))
    assert "摘み取りの日を決めましょう" in topic_page
    action = form_action(topic_page, f"/topics/{topic.id}/comments")
    fields = {**hidden_fields(topic_page, f"/topics/{topic.id}/comments"), "body": WRITTEN_ON_A_PHONE}
    fields.pop(PARAM, None)
    assert fields.get("submit_token"), "the comment form carries its one-time token"
    response = sjis_post(phone, action, fields)
    assert response.status_code == 302, html_of(response)
    stored = db.session.scalars(select(TopicComment)).one()
    assert stored.body == WRITTEN_ON_A_PHONE
    assert stored.author_id == me.id
    assert WRITTEN_ON_A_PHONE in keitai_page(phone, response.headers["Location"])

    # Sent twice (the phone resends the form): still one comment.
    assert sjis_post(phone, action, fields).status_code == 302
    assert count(TopicComment) == 1


def test_a_topic_written_on_a_phone_is_stored_right(make_member, docomo):
    owner = make_member("佐藤")
    community = open_community(owner, "掛川茶の会")
    phone, token = docomo(owner)
    form = keitai_page(phone, carrying(f"/communities/{community.id}/topics/new", token))
    fields = {**hidden_fields(form, "/topics/new"), "title": "①番茶の会", "body": WRITTEN_ON_A_PHONE}
    fields.pop(PARAM, None)
    response = sjis_post(phone, form_action(form, "/topics/new"), fields)
    assert response.status_code == 302, html_of(response)
    topic = topics.search_topics(owner, "①番茶", 1, 10).items[0]
    assert (topic.title, topic.body) == ("①番茶の会", WRITTEN_ON_A_PHONE)


def test_searching_topics_from_a_phone_form_in_shift_jis(make_member, docomo):
    owner = make_member("佐藤")
    community = open_community(owner, "掛川茶の会")
    topics.create_topic(owner, community.id, title="髙天神城の山歩き", body="本文")
    phone, token = docomo(owner)
    # The search form is a GET form: the phone sends the words percent-encoded in Shift_JIS.
    query = urlencode({"q": "髙天神", PARAM: token}, encoding="cp932")
    assert "髙天神城の山歩き" in keitai_page(phone, f"/topics/search?{query}")


def test_an_outsider_phone_cannot_read_or_comment_on_a_members_only_topic(make_member, docomo):
    owner, outsider = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner, "役員会", topic_visibility=MEMBERS_ONLY)
    topic = topics.create_topic(owner, community.id, title="会計の相談", body="内緒の話")
    comment = topics.add_comment(owner, topic.id, "領収書は金庫に")
    phone, token = docomo(outsider)
    for url in (f"/topics/{topic.id}", f"/topics/comments/{comment.id}"):
        html = keitai_page(phone, carrying(url, token), status=404)
        assert "会計の相談" not in html and "領収書" not in html
    top = keitai_page(phone, carrying(f"/communities/{community.id}", token))
    assert "会計の相談" not in top
    response = sjis_post(phone, carrying(f"/topics/{topic.id}/comments", token), {"body": "のぞき見"})
    assert response.status_code == 404
    assert "会計の相談" not in html_of(response)
    assert count(TopicComment) == 1


# --- five comments a page ------------------------------------------------------------------------------------

def test_comments_come_five_to_a_keitai_page(make_member, docomo):
    owner = make_member("佐藤")
    community = open_community(owner, "掛川茶の会")
    topic = topics.create_topic(owner, community.id, title="茶摘みの記録", body="順に書いてください")
    for n in range(1, 13):
        topics.add_comment(owner, topic.id, f"記録第{n:02d}号")
    phone, token = docomo(owner)

    def numbers(html):
        return [int(n) for n in re.findall(r"記録第(\d\d)号", html)]

    page = keitai_page(phone, carrying(f"/topics/{topic.id}", token))
    assert numbers(page) == [1, 2, 3, 4, 5]
    seen = [numbers(page)]
    while True:
        following = [url for url in links(page, f"/topics/{topic.id}?") if "page=" in url
                     and int(parse_qs(urlsplit(url).query)["page"][0]) == len(seen) + 1]
        if not following:
            break
        assert session_of(following[0]) == token
        page = keitai_page(phone, following[0])
        seen.append(numbers(page))
    assert seen == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]


@pytest.mark.parametrize("before", [4, 5, 9])
def test_after_commenting_from_a_phone_one_lands_on_the_page_with_the_comment(make_member, docomo, before):
    owner = make_member("佐藤")
    community = open_community(owner, "掛川茶の会")
    topic = topics.create_topic(owner, community.id, title="茶摘みの記録", body="順に")
    for n in range(before):
        topics.add_comment(owner, topic.id, f"前のコメント{n}")
    phone, token = docomo(owner)
    response = sjis_post(phone, carrying(f"/topics/{topic.id}/comments", token), {"body": "いま書いたコメント"})
    assert response.status_code == 302
    expected_page = before // 5 + 1  # the new one is number before + 1
    assert parse_qs(urlsplit(response.headers["Location"]).query)["page"] == [str(expected_page)]
    assert "いま書いたコメント" in keitai_page(phone, response.headers["Location"])


# --- every page inside the budget, at its fullest ---------------------------------------------------------

LONG_NAME = "掛川市" + "東" * 57  # 60 characters, the most a name may have
LONG_NICK = "茶" * 40


@pytest.fixture
def crowded(make_member):
    """Everything at its longest: names, titles, places, descriptions, bodies and comments."""
    owner = make_member(LONG_NICK)
    others = [make_member(f"{n:02d}" + "畑" * 38) for n in range(12)]
    communities = [open_community(owner, f"{n:02d}" + LONG_NAME[2:], category="地域", description="説" * 5_000)
                   for n in range(12)]
    community = communities[0]
    for person in others:
        membership.join(person, community.id)
    made_topics = [topics.create_topic(owner, community.id, title=f"{n:02d}" + "題" * 98, body="本" * 10_000)
                   for n in range(12)]
    for person in others[:7]:
        topics.add_comment(person, made_topics[0].id, "言" * 3_000)
    made_events = [events.create_event(owner, community.id, title=f"{n:02d}" + "催" * 98, starts_at=in_two_days(n),
                                       place="場" * 200, description="明" * 5_000) for n in range(12)]
    for i, person in enumerate(others):
        events.attend(person, made_events[0].id, GOING if i % 3 else NOT_GOING)
    return owner, community, made_topics[0], made_events[0]


FULLEST_PAGES = [
    "/communities", "/communities?sort=activity", "/communities/mine", "/communities/{c}", "/communities/{c}?part=2",
    "/communities/{c}/members", "/communities/{c}/topics", "/communities/{c}/events", "/communities/{c}/requests",
    "/communities/{c}/edit", "/communities/{c}/handover", "/communities/{c}/topics/new", "/communities/{c}/events/new",
    "/communities/{c}/join", "/communities/{c}/leave",
    "/topics/{t}", "/topics/{t}?page=2", "/topics/{t}?part=3", "/topics/{t}/edit", "/topics/{t}/delete",
    "/topics/comments/{cm}", "/topics/comments/{cm}/delete", "/topics/search?q=" + "%91%E8",  # 題 in Shift_JIS
    "/events", "/events/{e}", "/events/{e}?part=2", "/events/{e}/edit", "/events/{e}/delete",
]


def test_every_keitai_page_stays_inside_its_budget_at_its_fullest(crowded, docomo):
    """One crowded site, every page (the fixture is too heavy to build once per page)."""
    owner, community, topic, event = crowded
    comment_id = db.session.scalar(select(TopicComment.id).limit(1))
    phone, token = docomo(owner)
    problems = {}
    for path in FULLEST_PAGES:
        url = path.format(c=community.id, t=topic.id, cm=comment_id, e=event.id)
        url += ("&" if "?" in url else "?") + f"{PARAM}={token}"
        try:
            response = phone.get(url)
        except AssertionError as error:  # PageBudgetExceeded: the app's own check in tests
            problems[path] = str(error)
            continue
        if response.status_code != 200 or len(response.data) > BUDGET:
            problems[path] = (response.status_code, len(response.data))
    assert problems == {}


def test_a_comment_sent_back_for_being_too_long_keeps_its_text_inside_the_budget(crowded, docomo):
    owner, community, topic, _ = crowded
    phone, token = docomo(owner)
    response = sjis_post(phone, carrying(f"/topics/{topic.id}/comments", token), {"body": "長" * 3_001})
    assert response.status_code == 400
    assert len(response.data) <= BUDGET
    assert "長" * 3_001 in html_of(response)


def test_events_from_a_phone_take_japan_time(make_member, docomo):
    owner = make_member("佐藤")
    community = open_community(owner, "掛川茶の会")
    phone, token = docomo(owner)
    day = today_jst() + timedelta(days=10)
    form = keitai_page(phone, carrying(f"/communities/{community.id}/events/new", token))
    response = sjis_post(phone, form_action(form, "/events/new"), {
        "title": "茶摘み体験", "date": day.isoformat(), "time": "09:00", "place": "東山", "description": ""})
    assert response.status_code == 302, html_of(response)
    event = events.upcoming_for(owner, 1, 10).items[0]
    assert event.starts_at == jst_to_utc(datetime.combine(day, time(9, 0)))
    page = keitai_page(phone, response.headers["Location"])
    assert "09:00" in page and path_of(response.headers["Location"]) == f"/events/{event.id}"


def test_a_phone_filters_the_list_by_category_sent_in_shift_jis(make_member, docomo):
    owner = make_member("佐藤")
    open_community(owner, "倉真の防災会", category="防災")
    open_community(owner, "倉真の茶摘み会", category="趣味")
    phone, token = docomo(owner)
    listing = keitai_page(phone, carrying("/communities", token))
    assert "<select" in listing and form_action(listing, "/communities")
    query = urlencode({"category": "防災", "sort": "activity", "q": "", PARAM: token}, encoding="cp932")
    html = keitai_page(phone, f"/communities?{query}")
    assert "倉真の防災会" in html and "倉真の茶摘み会" not in html


def test_asking_to_join_from_a_phone_keeps_the_message_written_in_shift_jis(make_member, docomo):
    owner, me = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner, "掛川茶の会", join_policy=APPROVAL)
    phone, token = docomo(me)
    join_page = keitai_page(phone, carrying(f"/communities/{community.id}/join", token))
    response = sjis_post(phone, form_action(join_page, "/join"), {"message": WRITTEN_ON_A_PHONE})
    assert response.status_code == 302
    assert "承認をお待ちください" in keitai_page(phone, response.headers["Location"])
    assert db.session.get(Membership, (community.id, me.id)).message == WRITTEN_ON_A_PHONE
    assert role_in(community.id, me.id) == PENDING
