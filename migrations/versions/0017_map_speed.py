"""map speed: a partial index of the members who are not active, for "is the author active" inside an OR

Revision ID: 0017_map_speed
Revises: 0016_leaving
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_map_speed'
down_revision = '0016_leaving'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_members_inactive', 'members', ['id'], unique=False,
                    postgresql_where=sa.text("status <> 'active'"), sqlite_where=sa.text("status <> 'active'"))


def downgrade():
    op.drop_index('ix_members_inactive', table_name='members',
                  postgresql_where=sa.text("status <> 'active'"), sqlite_where=sa.text("status <> 'active'"))
