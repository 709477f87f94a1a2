"""A non-member who follows the トピック or イベント tab of a members-only community is not left at a bare
403: the page says why and offers the way in (join, ask to join) or where their request stands — on PC
and keitai. The list itself stays hidden (still 403)."""
from __future__ import annotations

import pytest

from ejan.communities import membership
from ejan.communities.models import APPROVAL, MEMBERS_ONLY, OPEN, PENDING
from helpers_communities import form_action, html_of, keitai_login, open_community, role_in, sjis_post, topics
from support import PC_UA

SECRET = "防災倉庫の鍵の置き場所"
TABS = ("/communities/{c}/topics", "/communities/{c}/events")


@pytest.fixture(params=["pc", "keitai"])
def device(request, app, keitai, login):
    def make(member):
        if request.param == "pc":
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = PC_UA
            login(client, member)
            client.send = lambda url, fields: client.post(url, data=fields)
            return client
        phone = keitai("au")
        keitai_login(phone, member)
        phone.send = lambda url, fields: sjis_post(phone, url, fields)
        return phone
    return make


def members_only(owner, join_policy):
    community = open_community(owner, "倉真の防災会", join_policy=join_policy, topic_visibility=MEMBERS_ONLY)
    topics.create_topic(owner, community.id, title=SECRET, body="公民館の右の棚です。")
    return community


@pytest.mark.parametrize("tab", TABS)
def test_an_outsider_following_a_tab_is_offered_to_join_and_joins_from_there(device, make_member, tab):
    owner, sato = make_member("鈴木"), make_member("佐藤")
    community = members_only(owner, OPEN)
    client = device(sato)
    response = client.get(tab.format(c=community.id))
    page = html_of(response)
    assert response.status_code == 403
    assert SECRET not in page
    assert "メンバーだけが読めます" in page
    action = form_action(page, f"/communities/{community.id}/join")
    assert client.send(action, {}).status_code == 302
    assert role_in(community.id, sato.id) == "member"
    assert SECRET in html_of(client.get(f"/communities/{community.id}/topics"))


@pytest.mark.parametrize("tab", TABS)
def test_an_outsider_of_an_approval_community_can_ask_to_join_from_the_tab(device, make_member, tab):
    owner, sato = make_member("鈴木"), make_member("佐藤")
    community = members_only(owner, APPROVAL)
    client = device(sato)
    page = html_of(client.get(tab.format(c=community.id)))
    assert "参加を申請する" in page
    action = form_action(page, f"/communities/{community.id}/join")
    assert client.send(action, {"message": "よろしくお願いします"}).status_code == 302
    assert role_in(community.id, sato.id) == PENDING
    # Asked already: the tab now says the request is waiting, with a way to take it back; no second form.
    page = html_of(client.get(tab.format(c=community.id)))
    assert "承認をお待ちください" in page
    assert f"/communities/{community.id}/leave" in page
    assert f'action="/communities/{community.id}/join' not in page


def test_a_banned_member_is_told_plainly_and_offered_no_join_form(device, make_member):
    owner, sato = make_member("鈴木"), make_member("佐藤")
    community = members_only(owner, OPEN)
    membership.join(sato, community.id)
    membership.ban(owner, community.id, sato.id)
    page = html_of(device(sato).get(f"/communities/{community.id}/topics"))
    assert "このコミュニティには参加できません。" in page
    assert f"/communities/{community.id}/join" not in page
