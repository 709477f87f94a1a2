"""blocks between members; 通報 (reports of content to the administrators)

Revision ID: 0005_blocks_reports
Revises: 0004_community_name_case
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_blocks_reports'
down_revision = '0004_community_name_case'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('blocks',
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('blocked_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('blocker_id <> blocked_id', name=op.f('ck_blocks_not_self')),
    sa.ForeignKeyConstraint(['blocked_id'], ['members.id'], name=op.f('fk_blocks_blocked_id_members')),
    sa.ForeignKeyConstraint(['blocker_id'], ['members.id'], name=op.f('fk_blocks_blocker_id_members')),
    sa.PrimaryKeyConstraint('blocker_id', 'blocked_id', name=op.f('pk_blocks'))
    )
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        # "who blocked me" is the other half of every blocked_between() probe.
        batch_op.create_index('ix_blocks_blocked', ['blocked_id', 'blocker_id'], unique=False)

    op.create_table('tsuho',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['reporter_id'], ['members.id'], name=op.f('fk_tsuho_reporter_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tsuho')),
    sa.UniqueConstraint('reporter_id', 'target_kind', 'target_id', name='uq_tsuho_reporter_target')
    )
    with op.batch_alter_table('tsuho', schema=None) as batch_op:
        batch_op.create_index('ix_tsuho_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_tsuho_target', ['target_kind', 'target_id'], unique=False)


def downgrade():
    with op.batch_alter_table('tsuho', schema=None) as batch_op:
        batch_op.drop_index('ix_tsuho_target')
        batch_op.drop_index('ix_tsuho_status_created')
    op.drop_table('tsuho')
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_blocks_blocked')
    op.drop_table('blocks')
