"""counts and roles kept right under races: member_count without suspended members, one owner per community, one friend request per pair

Revision ID: 0008_counts
Revises: 0007_session_binding
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_counts'
down_revision = '0007_session_binding'
branch_labels = None
depends_on = None


def upgrade():
    # Two hand-overs at once could leave two owners: the one the community row names stays owner, the
    # others become moderators (they ran the community until now).
    op.execute(sa.text("""
        UPDATE community_memberships SET role = 'moderator'
        WHERE role = 'owner' AND member_id <> (
            SELECT owner_id FROM communities WHERE communities.id = community_memberships.community_id)"""))
    op.execute(sa.text("""
        UPDATE communities SET owner_id = (
            SELECT min(member_id) FROM community_memberships
            WHERE community_id = communities.id AND role = 'owner')
        WHERE NOT EXISTS (SELECT 1 FROM community_memberships
                          WHERE community_id = communities.id AND role = 'owner' AND member_id = communities.owner_id)
          AND EXISTS (SELECT 1 FROM community_memberships WHERE community_id = communities.id AND role = 'owner')"""))
    with op.batch_alter_table('community_memberships', schema=None) as batch_op:
        batch_op.create_index('uq_community_memberships_owner', ['community_id'], unique=True,
                              postgresql_where=sa.text("role = 'owner'"), sqlite_where=sa.text("role = 'owner'"))
    # Counts drifted by races, and suspended members were counted: count again from the rows.
    op.execute(sa.text("""
        UPDATE communities SET member_count = (
            SELECT count(*) FROM community_memberships m JOIN members u ON u.id = m.member_id
            WHERE m.community_id = communities.id AND m.role IN ('owner', 'moderator', 'member')
              AND u.status = 'active')"""))
    op.execute(sa.text("""
        UPDATE community_topics SET comment_count = (
            SELECT count(*) FROM community_topic_comments c WHERE c.topic_id = community_topics.id)"""))


    # Two members who asked each other at the same moment were left with two requests and no friendship:
    # both said yes, so they become friends now, and the index keeps one request per pair from here on.
    mutual = """FROM friend_requests r WHERE EXISTS (
        SELECT 1 FROM friend_requests o WHERE o.from_id = r.to_id AND o.to_id = r.from_id)"""
    op.execute(sa.text(f"""
        INSERT INTO friendships (member_id, friend_id, created_at) SELECT r.from_id, r.to_id, r.created_at {mutual}
        AND NOT EXISTS (SELECT 1 FROM friendships f WHERE f.member_id = r.from_id AND f.friend_id = r.to_id)"""))
    op.execute(sa.text(f"DELETE FROM friend_requests WHERE id IN (SELECT r.id {mutual})"))
    op.create_index('uq_friend_requests_either_way', 'friend_requests', [
        sa.text('(from_id + to_id)'), sa.text('abs(from_id - to_id)')], unique=True)


def downgrade():
    op.drop_index('uq_friend_requests_either_way', table_name='friend_requests')
    with op.batch_alter_table('community_memberships', schema=None) as batch_op:
        batch_op.drop_index('uq_community_memberships_owner', postgresql_where=sa.text("role = 'owner'"),
                            sqlite_where=sa.text("role = 'owner'"))
