"""maps: pins on the city map

Revision ID: 0011_maps
Revises: 0009_city_speed
Create Date: 2026-12-01 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_maps'
down_revision = '0009_city_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('district', sa.String(length=20), nullable=True),
    sa.Column('photo_key', sa.String(length=32), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=True),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('submit_token', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('shelter_status', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_pins_author_id_members')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_pins_community_id_communities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['community_events.id'], name=op.f('fk_pins_event_id_community_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['members.id'], name=op.f('fk_pins_hidden_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pins')),
    sa.UniqueConstraint('author_id', 'submit_token', name='uq_pins_submit')
    )
    with op.batch_alter_table('pins', schema=None) as batch_op:
        batch_op.create_index('ix_pins_lat_lon', ['lat', 'lon'], unique=False)
        batch_op.create_index('ix_pins_category_lat_lon', ['category', 'lat', 'lon'], unique=False)
        batch_op.create_index('ix_pins_district_category', ['district', 'category', 'created_at'], unique=False)
        batch_op.create_index('ix_pins_author_created', ['author_id', 'created_at'], unique=False)
        batch_op.create_index('ix_pins_community', ['community_id'], unique=False)
        batch_op.create_index('ix_pins_event', ['event_id'], unique=False)


def downgrade():
    op.drop_table('pins')
