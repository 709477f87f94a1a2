"""check-in changes: an index of an event's check-ins by when they changed, for the city lists' catch-up reads

Revision ID: 0018_checkin_changes
Revises: 0017_map_speed
Create Date: 2026-12-02 15:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_checkin_changes'
down_revision = '0017_map_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_safety_checkins_event_updated', 'safety_checkins', ['event_id', 'updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_safety_checkins_event_updated', table_name='safety_checkins')
