"""members: the language each member reads the site in

Revision ID: 0006_member_language
Revises: 0004_community_name_case
Create Date: 2026-12-01 00:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_member_language'
down_revision = '0004_community_name_case'
branch_labels = None
depends_on = None


def upgrade():
    # NULL: no choice made; the page follows the cookie or the browser (ejan/i18n.py).
    with op.batch_alter_table('members') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('members') as batch_op:
        batch_op.drop_column('language')
