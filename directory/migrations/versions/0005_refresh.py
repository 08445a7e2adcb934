"""refresh (issue 15): a record of each `kapdir refresh`, and when each practice site is due for a crawl

Adds two tables; nothing existing changes.

Revision ID: 0005
Revises: 0006
Create Date: 2026-12-02 09:05:35.117712
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('siteschedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('unchanged_streak', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(), nullable=True),
    sa.Column('crawl_run_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawlrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('site')
    )
    with op.batch_alter_table('siteschedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_siteschedule_next_due_at'), ['next_due_at'], unique=False)

    op.create_table('refreshrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sites_due', sa.Integer(), nullable=False),
    sa.Column('sites_crawled', sa.Integer(), nullable=False),
    sa.Column('sources_checked', sa.Integer(), nullable=False),
    sa.Column('sources_synced', sa.Integer(), nullable=False),
    sa.Column('claims_rechecked', sa.Integer(), nullable=False),
    sa.Column('crawl_run_id', sa.Integer(), nullable=True),
    sa.Column('verify_run_id', sa.Integer(), nullable=True),
    sa.Column('parts', sa.JSON(), nullable=True),
    sa.Column('next_due_at', sa.DateTime(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['crawl_run_id'], ['crawlrun.id'], ),
    sa.ForeignKeyConstraint(['verify_run_id'], ['verifyrun.id'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('refreshrun')
    with op.batch_alter_table('siteschedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_siteschedule_next_due_at'))

    op.drop_table('siteschedule')
