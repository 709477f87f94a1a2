"""Who may change an event once its author is no longer in the community (issue 8, item 5): like topics,
an author who left, was removed or was banned can no longer edit, re-date or delete it; the owner and
moderators still can."""
from __future__ import annotations

from datetime import timedelta

import pytest

from ejan.communities import events, membership
from ejan.errors import Forbidden
from ejan.extensions import db
from helpers_communities import in_two_days, open_community, reload


def _gone_by_leaving(owner, author, community):
    membership.leave(author, community.id)


def _gone_by_removal(owner, author, community):
    membership.remove_member(owner, community.id, author.id)


def _gone_by_ban(owner, author, community):
    membership.ban(owner, community.id, author.id)


@pytest.fixture(params=[_gone_by_leaving, _gone_by_removal, _gone_by_ban], ids=["left", "removed", "banned"])
def former_author(request, make_member):
    owner, author = make_member("佐藤"), make_member("鈴木")
    community = open_community(owner)
    membership.join(author, community.id)
    event = events.create_event(author, community.id, title="茶摘み", starts_at=in_two_days(), place="倉真")
    request.param(owner, author, community)
    return owner, reload(author), event


def test_an_author_no_longer_in_the_community_cannot_edit_or_re_date_the_event(former_author):
    _owner, author, event = former_author
    starts = event.starts_at
    with pytest.raises(Forbidden):
        events.update_event(author, event.id, title="中止", starts_at=starts + timedelta(days=30), place="",
                            description="")
    db.session.expire_all()
    assert (event.title, event.starts_at) == ("茶摘み", starts)
    assert not events.can_change_event(author, event)


def test_an_author_no_longer_in_the_community_cannot_delete_the_event(former_author):
    _owner, author, event = former_author
    with pytest.raises(Forbidden):
        events.delete_event(author, event.id)
    assert db.session.get(type(event), event.id) is not None


def test_the_owner_still_changes_an_event_whose_author_has_gone(former_author):
    owner, _author, event = former_author
    events.update_event(reload(owner), event.id, title="茶摘み（雨天延期）", starts_at=event.starts_at, place="倉真",
                        description="")
    db.session.expire_all()
    assert event.title == "茶摘み（雨天延期）"


def test_the_event_pages_refuse_a_former_author(former_author, browser):
    _owner, author, event = former_author
    client = browser(author)
    assert client.get(f"/events/{event.id}/edit").status_code == 403
    assert client.post(f"/events/{event.id}/delete").status_code == 403
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/edit" not in page
