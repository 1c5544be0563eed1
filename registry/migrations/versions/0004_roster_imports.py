"""Starting rosters: a source of its own kind, whose rows can start holdings.

Adds ``roster_imports`` and ``roster_rows``; a holding now starts with either
a notice's action or a roster row (``start_roster_row_id``), so
``holdings.start_action_id`` may be NULL when the other is set.  Nothing
existing changes: every holding of an older registry starts with an action.
On SQLite the holdings table is copied to alter it, and the triggers an earlier
revision put on it are created again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from contextlib import contextmanager
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


@contextmanager
def _triggers_kept():
    """On SQLite a batch alteration copies the table and drops its triggers: put them back."""
    bind = op.get_bind()
    triggers = []
    if bind.dialect.name == "sqlite":
        triggers = [sql for (sql,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'holdings' ORDER BY name"
        )]
    yield
    for sql in triggers:
        op.execute(sql)


def upgrade() -> None:
    op.create_table('roster_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('label', sa.String(length=400), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('content_hash', 'as_of')
    )
    op.create_table('roster_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('document', sa.String(length=60), nullable=True),
    sa.Column('concurrent', sa.Boolean(), nullable=False),
    sa.Column('acting', sa.Boolean(), nullable=False),
    sa.Column('probation_until', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['roster_imports.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roster_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_rows_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_rows_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_rows_person_id'), ['person_id'], unique=False)
    with _triggers_kept():
        with op.batch_alter_table('holdings', schema=None) as batch_op:
            batch_op.add_column(sa.Column('start_roster_row_id', sa.Integer(), nullable=True))
            batch_op.alter_column('start_action_id', existing_type=sa.Integer(), nullable=True)
            batch_op.create_foreign_key('fk_holdings_start_roster_row_id', 'roster_rows', ['start_roster_row_id'], ['id'])
            batch_op.create_check_constraint('holding_has_a_source',
                                             'start_action_id IS NOT NULL OR start_roster_row_id IS NOT NULL')


def downgrade() -> None:
    with _triggers_kept():
        with op.batch_alter_table('holdings', schema=None) as batch_op:
            batch_op.drop_constraint('holding_has_a_source', type_='check')
            batch_op.drop_constraint('fk_holdings_start_roster_row_id', type_='foreignkey')
            batch_op.alter_column('start_action_id', existing_type=sa.Integer(), nullable=False)
            batch_op.drop_column('start_roster_row_id')
    with op.batch_alter_table('roster_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_rows_person_id'))
        batch_op.drop_index(batch_op.f('ix_roster_rows_org_id'))
        batch_op.drop_index(batch_op.f('ix_roster_rows_import_id'))
    op.drop_table('roster_rows')
    op.drop_table('roster_imports')
