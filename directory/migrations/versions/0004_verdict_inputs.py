"""issue 14: verdict inputs (what each clinician's verdicts were judged from) and the record change log

``recordchange`` is written by triggers on ``licenserecord``: one row per record whose judged fields an UPDATE
changed, or that a DELETE removed, whatever wrote it (a roster sync, a look-up, an admin). ``verify --due``
reads the rows above its last mark. Inserts need no trigger (new records have higher ids), so a first sync of a
million rows pays nothing; an unchanged re-sync fires nothing either (the WHEN clause compares the judged fields).

Revision ID: 0004
Revises: 0005
Create Date: 2026-12-02 09:20:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None

# Every column of licenserecord a verdict can read (the evidence, the name matching, the look-ups). The record's
# date is ``source_as_of`` or else ``fetched_at``: compared as one value, so a sync that only re-stamps
# ``fetched_at`` on records with a source date of their own logs nothing.
JUDGED = (
    "source", "record_key", "kind", "state", "home_state", "license_class", "title_raw", "license_number",
    "holder_name", "given_name", "middle_name", "family_name", "suffix", "family_key", "given_key", "status",
    "status_raw", "issue_date", "expiry_date", "discipline", "discipline_text", "multistate", "npi", "city",
    "address_state", "source_url", "removed_at",
)


def _sqlite_when() -> str:
    parts = [f"OLD.{c} IS NOT NEW.{c}" for c in JUDGED]
    parts.append("COALESCE(OLD.source_as_of, OLD.fetched_at) IS NOT COALESCE(NEW.source_as_of, NEW.fetched_at)")
    parts.append("OLD.raw IS NOT NEW.raw")
    return " OR ".join(parts)


def _postgres_when() -> str:
    parts = [f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in JUDGED]
    parts.append("COALESCE(OLD.source_as_of, OLD.fetched_at) IS DISTINCT FROM "
                 "COALESCE(NEW.source_as_of, NEW.fetched_at)")
    parts.append("OLD.raw::text IS DISTINCT FROM NEW.raw::text")  # json has no equality operator
    return " OR ".join(parts)


def upgrade() -> None:
    op.create_table('verdictinputs',
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('listing_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('claims', sa.Integer(), nullable=False),
    sa.Column('recheck_at', sa.DateTime(), nullable=True),
    sa.Column('judged_at', sa.DateTime(), nullable=False),
    sa.Column('verify_run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'], ),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ),
    sa.ForeignKeyConstraint(['verify_run_id'], ['verifyrun.id'], ),
    sa.PrimaryKeyConstraint('clinician_id')
    )
    op.create_table('verdictinputrecord',
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'], ),
    sa.PrimaryKeyConstraint('clinician_id', 'record_id')
    )
    op.create_index('ix_verdictinputrecord_record', 'verdictinputrecord', ['record_id'], unique=False)
    op.create_table('verdictinputkey',
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'], ),
    sa.PrimaryKeyConstraint('clinician_id', 'key')
    )
    op.create_index('ix_verdictinputkey_key', 'verdictinputkey', ['key'], unique=False)
    op.create_table('verdictinputstate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rules_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('health', sa.JSON(), nullable=True),
    sa.Column('records_upto', sa.Integer(), nullable=False),
    sa.Column('changes_upto', sa.Integer(), nullable=False),
    sa.Column('verify_run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['verify_run_id'], ['verifyrun.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('recordchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION licenserecord_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO recordchange (record_id) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
                RETURN NULL;
            END $$""")
        op.execute(f"CREATE TRIGGER licenserecord_changed AFTER UPDATE ON licenserecord FOR EACH ROW "
                   f"WHEN ({_postgres_when()}) EXECUTE FUNCTION licenserecord_log_change()")
        op.execute("CREATE TRIGGER licenserecord_deleted AFTER DELETE ON licenserecord FOR EACH ROW "
                   "EXECUTE FUNCTION licenserecord_log_change()")
    else:
        op.execute(f"CREATE TRIGGER licenserecord_changed AFTER UPDATE ON licenserecord WHEN {_sqlite_when()} "
                   "BEGIN INSERT INTO recordchange (record_id) VALUES (NEW.id); END")
        op.execute("CREATE TRIGGER licenserecord_deleted AFTER DELETE ON licenserecord "
                   "BEGIN INSERT INTO recordchange (record_id) VALUES (OLD.id); END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS licenserecord_deleted" + (" ON licenserecord" if op.get_bind().dialect.name == "postgresql" else ""))
    op.execute("DROP TRIGGER IF EXISTS licenserecord_changed" + (" ON licenserecord" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS licenserecord_log_change()")
    op.drop_table('recordchange')
    op.drop_table('verdictinputstate')
    op.drop_index('ix_verdictinputkey_key', table_name='verdictinputkey')
    op.drop_table('verdictinputkey')
    op.drop_index('ix_verdictinputrecord_record', table_name='verdictinputrecord')
    op.drop_table('verdictinputrecord')
    op.drop_table('verdictinputs')
