import pytest

from ejan.communities.models import Community, Membership
from ejan.extensions import db


@pytest.fixture
def make_community(app):
    def make(owner, name="倉真の茶畑", moderators=(), members=()):
        community = Community(name=name, category="地域", description="", owner_id=owner.id)
        db.session.add(community)
        db.session.flush()
        db.session.add(Membership(community_id=community.id, member_id=owner.id, role="owner"))
        for m in moderators:
            db.session.add(Membership(community_id=community.id, member_id=m.id, role="moderator"))
        for m in members:
            db.session.add(Membership(community_id=community.id, member_id=m.id, role="member"))
        db.session.commit()
        return community

    return make
