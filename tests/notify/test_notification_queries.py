"""The notifications page runs as many SQL statements with 40 notices as with 3."""
from __future__ import annotations

import pytest

from ejan.extensions import db
from ejan.members.models import Member
from ejan.notify.models import Notification
from support import count_queries

FEW, MANY = 3, 40
BUDGET = 15


@pytest.fixture
def statements_for(make_member, browser):
    def measure(n: int, tag: str) -> tuple[list[str], str]:
        owner = make_member(f"持ち主{tag}")
        actors = [Member(email=f"{tag}{i}@example.jp", nickname=f"{tag}{i}", password_hash="!") for i in range(n)]
        db.session.add_all(actors)
        db.session.commit()
        db.session.add_all([
            Notification(member_id=owner.id, kind="friend_requested" if i % 2 else "friend_accepted",
                         actor_id=actor.id, link=f"/members/{actor.id}")
            for i, actor in enumerate(actors)
        ] + [Notification(member_id=owner.id, kind="announcement", actor_id=None)])  # one from the site itself
        db.session.commit()
        client = browser(owner)
        client.get("/")  # the first page after logging in also stores the form token in the session
        with count_queries(db.engine) as counter:
            response = client.get("/notifications")
        assert response.status_code == 200
        return counter.statements, response.get_data(as_text=True)

    return measure


def test_notifications_page_runs_as_many_statements_with_40_as_with_3(statements_for):
    few, few_page = statements_for(FEW, "few")
    many, many_page = statements_for(MANY, "many")

    assert "few1 さんからマイフレンド申請が届きました" in few_page
    assert "many39 さんからマイフレンド申請が届きました" in many_page
    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= BUDGET, "\n".join(few)
