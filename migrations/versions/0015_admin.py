"""admin: the audit log (append-only, a trigger refuses UPDATE and DELETE), announcements, page views per day and
device, active members per month; 通報 remember their author, community and outcome

Revision ID: 0015_admin
Revises: 0014_surveys
Create Date: 2026-12-01 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_admin'
down_revision = '0014_surveys'
branch_labels = None
depends_on = None

# The audit log is append-only in the database too: whatever code or console runs, a row cannot be changed.
# (TRUNCATE, which a restore into an empty installation and the test suite use, is a table-level act.)
POSTGRES_TRIGGER = [
    """CREATE FUNCTION admin_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'admin_audit is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER admin_audit_append_only BEFORE UPDATE OR DELETE ON admin_audit
    FOR EACH ROW EXECUTE FUNCTION admin_audit_append_only()""",
]
SQLITE_TRIGGERS = [
    """CREATE TRIGGER admin_audit_append_only_update BEFORE UPDATE ON admin_audit
BEGIN SELECT RAISE(ABORT, 'admin_audit is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER admin_audit_append_only_delete BEFORE DELETE ON admin_audit
BEGIN SELECT RAISE(ABORT, 'admin_audit is append-only: DELETE refused'); END""",
]


def upgrade():
    op.create_table('admin_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_kind', sa.String(length=30), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_admin_audit_actor_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_audit'))
    )
    with op.batch_alter_table('admin_audit', schema=None) as batch_op:
        batch_op.create_index('ix_admin_audit_actor', ['actor_id', 'created_at'], unique=False)
        batch_op.create_index('ix_admin_audit_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_admin_audit_target', ['target_kind', 'target_id'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('broadcast', sa.Boolean(), nullable=False),
    sa.Column('broadcast_at', sa.DateTime(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('submit_token', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_announcements_author_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    sa.UniqueConstraint('submit_token', name=op.f('uq_announcements_submit_token'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index('ix_announcements_period', ['starts_at', 'ends_at'], unique=False)

    op.create_table('page_view_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('device', sa.String(length=12), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'device', name=op.f('pk_page_view_days'))
    )
    op.create_table('active_months',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'member_id', name=op.f('pk_active_months'))
    )

    with op.batch_alter_table('tsuho', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('community_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tsuho_author_id_members'), 'members', ['author_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_tsuho_resolved_by_id_members'), 'members', ['resolved_by_id'], ['id'])
        batch_op.create_index('ix_tsuho_community_status', ['community_id', 'status', 'created_at'], unique=False)

    for statement in (POSTGRES_TRIGGER if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS admin_audit_append_only ON admin_audit")
        op.execute("DROP FUNCTION IF EXISTS admin_audit_append_only()")
    with op.batch_alter_table('tsuho', schema=None) as batch_op:
        batch_op.drop_index('ix_tsuho_community_status')
        batch_op.drop_constraint(batch_op.f('fk_tsuho_resolved_by_id_members'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_tsuho_author_id_members'), type_='foreignkey')
        batch_op.drop_column('resolved_by_id')
        batch_op.drop_column('outcome')
        batch_op.drop_column('community_id')
        batch_op.drop_column('author_id')
    op.drop_table('active_months')
    op.drop_table('page_view_days')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('ix_announcements_period')
    op.drop_table('announcements')
    with op.batch_alter_table('admin_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_audit_target')
        batch_op.drop_index('ix_admin_audit_created')
        batch_op.drop_index('ix_admin_audit_actor')
    op.drop_table('admin_audit')
