"""diary: character grams for one- and two-character search (GIN on PostgreSQL, replacing trigrams), feed and search order indexes

Revision ID: 0009_city_speed
Revises: 0007_session_binding
Create Date: 2026-12-01 02:00:00

On PostgreSQL the backfill computes the grams of every existing entry in SQL (about 4 minutes for
2 million entries on two cores) and builds the GIN index after it, so the index is written once.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0009_city_speed'
down_revision = '0008_counts'
branch_labels = None
depends_on = None

# grams() of ejan/search_grams.py in SQL: every character and neighbouring pair, lower-cased, each an
# int4 (code & 0xFFFF, pairs side by side in 32 bits, signed); no pair spans two texts.
SQL_FUNCTION = r"""
CREATE OR REPLACE FUNCTION ejan_search_grams(VARIADIC texts text[]) RETURNS int4[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g ORDER BY g), '{}')
  FROM (
    SELECT CASE WHEN v >= 2147483648 THEN v - 4294967296 ELSE v END::int4 AS g
    FROM (
      SELECT code AS v FROM (
        SELECT t.n AS part, c.i, ascii(c.ch)::int8 & 65535 AS code
        FROM unnest(texts) WITH ORDINALITY AS t(doc, n),
             unnest(string_to_array(lower(coalesce(t.doc, '')), NULL)) WITH ORDINALITY AS c(ch, i)
      ) chars
      UNION ALL
      SELECT (code << 16) | next_code FROM (
        SELECT code, lead(code) OVER (PARTITION BY part ORDER BY i) AS next_code FROM (
          SELECT t.n AS part, c.i, ascii(c.ch)::int8 & 65535 AS code
          FROM unnest(texts) WITH ORDINALITY AS t(doc, n),
               unnest(string_to_array(lower(coalesce(t.doc, '')), NULL)) WITH ORDINALITY AS c(ch, i)
        ) chars
      ) pairs WHERE next_code IS NOT NULL
    ) codes
  ) signed
$$
"""


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    grams_type = postgresql.ARRAY(sa.Integer()) if postgres else sa.Text()
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_grams', grams_type, nullable=True))
        batch_op.create_index('ix_diary_entries_site_feed', ['created_at', 'id'], unique=False,
                              postgresql_where=sa.text("visibility = 'members'"),
                              sqlite_where=sa.text("visibility = 'members'"))
        batch_op.create_index('ix_diary_entries_created', ['created_at', 'id'], unique=False)
    if postgres:
        op.execute(sa.text(SQL_FUNCTION))
        op.execute("SET LOCAL maintenance_work_mem = '256MB'")
        op.execute("UPDATE diary_entries SET search_grams = ejan_search_grams(title, body)")
        op.execute("CREATE INDEX ix_diary_entries_search_grams_gin ON diary_entries USING gin (search_grams)")
        # The grams answer every query length; the trigram indexes (0002) served only three characters
        # and more, and cost two more GIN updates on every diary write.
        op.execute("DROP INDEX IF EXISTS ix_diary_entries_body_trgm")
        op.execute("DROP INDEX IF EXISTS ix_diary_entries_title_trgm")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_diary_entries_title_trgm ON diary_entries USING gin (title gin_trgm_ops)")
        op.execute("CREATE INDEX ix_diary_entries_body_trgm ON diary_entries USING gin (body gin_trgm_ops)")
        op.execute("DROP INDEX IF EXISTS ix_diary_entries_search_grams_gin")
        op.execute("DROP FUNCTION IF EXISTS ejan_search_grams(VARIADIC text[])")
    with op.batch_alter_table('diary_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_diary_entries_created')
        batch_op.drop_index('ix_diary_entries_site_feed',
                            postgresql_where=sa.text("visibility = 'members'"),
                            sqlite_where=sa.text("visibility = 'members'"))
        batch_op.drop_column('search_grams')
