"""notify(recipients, kind, payload): member ids or an Audience, in-app rows and mail in the reader's language."""
from sqlalchemy import select

from ejan.extensions import db
from ejan.notify.api import Audience, notify
from ejan.notify.models import Notification


def _kinds_for(member_id):
    return list(db.session.scalars(select(Notification.kind).where(Notification.member_id == member_id)))


def test_ids_get_one_notification_each(app, make_member):
    a, b = make_member(), make_member()
    notify([a.id, b.id, a.id], "friend_accepted", {"subject": "x", "link": "/"})
    assert _kinds_for(a.id) == ["friend_accepted"]
    assert _kinds_for(b.id) == ["friend_accepted"]


def test_audience_by_district_reaches_only_that_district(app, make_member):
    daito = make_member(district="大東")
    other = make_member(district="大須賀")
    notify(Audience(districts=("大東",)), "friend_accepted", {"subject": "x"})
    assert _kinds_for(daito.id) == ["friend_accepted"]
    assert _kinds_for(other.id) == []
