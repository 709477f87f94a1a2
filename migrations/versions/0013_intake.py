"""intake: the JMA telegram log and one row per EventID; members found by keitai mail address

Revision ID: 0013_intake
Revises: 0012_disaster
Create Date: 2026-12-01 04:00:00
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013_intake'
down_revision = '0012_disaster'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'intake_telegrams',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('title', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('info_type', sa.String(length=10), nullable=False),
        sa.Column('jma_event_id', sa.String(length=64), nullable=False),
        sa.Column('report_at', sa.DateTime(), nullable=True),
        sa.Column('serial', sa.String(length=10), nullable=False),
        sa.Column('intensity', sa.String(length=4), nullable=True),
        sa.Column('intensity_place', sa.String(length=20), nullable=True),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.String(length=300), nullable=False),
        sa.Column('disaster_event_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('digest'),
    )
    op.create_index('ix_intake_telegrams_received', 'intake_telegrams', ['received_at', 'id'])
    op.create_index('ix_intake_telegrams_jma_event_id', 'intake_telegrams', ['jma_event_id'])
    op.create_table(
        'intake_jma_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('jma_event_id', sa.String(length=64), nullable=False),
        sa.Column('latest_report_at', sa.DateTime(), nullable=True),
        sa.Column('latest_serial', sa.Integer(), nullable=False),
        sa.Column('disaster_event_id', sa.Integer(), nullable=True),
        sa.Column('drill', sa.Boolean(), nullable=False),
        sa.Column('cancelled', sa.Boolean(), nullable=False),
        sa.Column('notice_digest', sa.String(length=64), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('jma_event_id'),
    )
    op.create_index('ix_members_keitai_email', 'members', ['keitai_email'])


def downgrade():
    op.drop_index('ix_members_keitai_email', table_name='members')
    op.drop_table('intake_jma_events')
    op.drop_index('ix_intake_telegrams_jma_event_id', table_name='intake_telegrams')
    op.drop_index('ix_intake_telegrams_received', table_name='intake_telegrams')
    op.drop_table('intake_telegrams')
