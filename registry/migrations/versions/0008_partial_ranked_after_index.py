"""The index of 列X之后 references holds only the actions that make one.

``ix_actions_ranked_after_person_id`` (revision 0005) held every action, and
most actions rank after no one.  ``db.refresh_statistics`` analyzes SQLite on a
sample, about the first thousand entries of each index, and those were all
NULL: the index then looked as if each person were named by a thousand
actions, and ``people NAME`` read every notice and every action (1.4 s at
1,000,000 holdings) where the index finds them in 54 ms.  Partial, the index
holds only real references, so any sample of it is a fair one (and it is
smaller on PostgreSQL too).  Every question that uses it names a person, which
implies the index's condition.  No data changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index('ix_actions_ranked_after_person_id', table_name='actions')
    op.create_index('ix_actions_ranked_after_person_id', 'actions', ['ranked_after_person_id'], unique=False,
                    sqlite_where=sa.text('ranked_after_person_id IS NOT NULL'),
                    postgresql_where=sa.text('ranked_after_person_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_actions_ranked_after_person_id', table_name='actions')
    op.create_index('ix_actions_ranked_after_person_id', 'actions', ['ranked_after_person_id'], unique=False)
