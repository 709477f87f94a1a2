"""leaving: when a member left (退会); the row stays as an emptied tombstone

Revision ID: 0016_leaving
Revises: 0015_admin
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_leaving'
down_revision = '0015_admin'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('members') as batch_op:
        batch_op.add_column(sa.Column('left_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('members') as batch_op:
        batch_op.drop_column('left_at')
