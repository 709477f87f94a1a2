"""communities: names unique regardless of case

Revision ID: 0004_community_name_case
Revises: 0003_communities
Create Date: 2026-11-25 07:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_community_name_case'
down_revision = '0003_communities'
branch_labels = None
depends_on = None


def upgrade():
    # Two residents opening "Tea" and "tea" at the same moment must not both succeed.
    op.create_index('uq_communities_name_lower', 'communities', [sa.text('lower(name)')], unique=True)


def downgrade():
    op.drop_index('uq_communities_name_lower', table_name='communities')
