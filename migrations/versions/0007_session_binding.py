"""sessions: bound to how they were issued (cookie or URL), rotated, no rows for anonymous page views

Revision ID: 0007_session_binding
Revises: 0004_community_name_case
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_session_binding'
down_revision = '0006_member_language'
branch_labels = None
depends_on = None


def upgrade():
    # Rows from before do not say how they were issued; a URL session kept as a cookie one would be
    # exactly the hole being closed, so everyone logs in once more.
    op.execute(sa.text("DELETE FROM web_sessions"))
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transport', sa.String(length=6), nullable=False))
        batch_op.add_column(sa.Column('issued_at', sa.DateTime(), nullable=False))
        batch_op.add_column(sa.Column('successor', sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_column('successor')
        batch_op.drop_column('issued_at')
        batch_op.drop_column('transport')
