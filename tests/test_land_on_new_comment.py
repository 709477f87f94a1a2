"""After writing a comment, a resident lands on it: the page of the list that holds it, scrolled to it
with #c<id> — on PC and on keitai (a named anchor most phones follow), for diary entries and topics."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ejan.communities import directory, membership, topics
from ejan.diary import services as diary
from ejan.members import blocking
from support import PC_UA, html_of, keitai_login, sjis_post

PARAM = "ejs"


@pytest.fixture(params=["pc", "keitai"])
def device(request, app, keitai, login):
    """(client, post(path, fields), session token or None) for a logged-in member."""
    def make(member):
        if request.param == "pc":
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = PC_UA
            login(client, member)
            return client, lambda path, fields: client.post(path, data=fields), None
        phone = keitai("docomo_nocookie")
        token = parse_qs(urlsplit(keitai_login(phone, member)).query)[PARAM][0]
        return phone, lambda path, fields: sjis_post(phone, f"{path}?{PARAM}={token}", fields), token
    return make


def where(response) -> tuple[str, dict, str]:
    assert response.status_code == 302, html_of(response)
    parts = urlsplit(response.headers["Location"])
    return parts.path, parse_qs(parts.query), parts.fragment


def anchored(page: str, comment_id: int) -> bool:
    return f'id="c{comment_id}"' in page or f'name="c{comment_id}"' in page


def test_a_diary_comment_lands_on_its_page_and_anchor(device, make_member, app):
    author, sato = make_member("鈴木"), make_member("佐藤")
    entry = diary.create_entry(author, title="茶摘み", body="今年も", visibility="members")
    size = app.config["EJAN_PAGE_SIZES"]
    client, post, token = device(sato)
    per_page = size["mobile" if token else "pc"]["comments"]
    for n in range(per_page):  # a full first page: the new comment opens the second
        diary.add_comment(author, entry.id, f"前のコメント{n}")
    path, query, fragment = where(post(f"/diary/{entry.id}/comments", {"body": "いま書いたコメント"}))
    [written] = [c for c in diary.comments_on(entry, 2, per_page).items if c.body == "いま書いたコメント"]
    assert path == f"/diary/{entry.id}" and query["page"] == ["2"] and fragment == f"c{written.id}"
    if token:
        assert query[PARAM] == [token]  # the cookieless phone stays logged in
    landed = html_of(client.get(f"{path}?page=2" + (f"&{PARAM}={token}" if token else "")))
    assert "いま書いたコメント" in landed and anchored(landed, written.id)


def test_a_topic_comment_lands_on_the_page_the_commenter_sees_when_blocked_comments_are_hidden(device, make_member, app):
    owner, sato, pest = make_member("鈴木"), make_member("佐藤"), make_member("田中")
    community = directory.create_community(owner, name="倉真の茶摘み会", category="趣味", description="茶摘み。")
    topic = topics.create_topic(owner, community.id, title="茶摘みの記録", body="順に")

    membership.join(sato, community.id)
    membership.join(pest, community.id)
    client, post, token = device(sato)
    per_page = app.config["EJAN_PAGE_SIZES"]["mobile" if token else "pc"]["comments"]
    for n in range(per_page):  # comments Sato never sees: she blocked their author
        topics.add_comment(pest, topic.id, f"見えないコメント{n}")
    blocking.block(sato, pest.id)
    path, query, fragment = where(post(f"/topics/{topic.id}/comments", {"body": "いま書いたコメント"}))
    [written] = [c for c in topics.comments_on(topic, 1, per_page, viewer=sato).items]
    assert path == f"/topics/{topic.id}" and query["page"] == ["1"] and fragment == f"c{written.id}"
    landed = html_of(client.get(f"{path}?page=1" + (f"&{PARAM}={token}" if token else "")))
    assert "いま書いたコメント" in landed and anchored(landed, written.id)
