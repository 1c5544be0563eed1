"""Indexes for a province's archive: drop ``ix_holdings_known``, index 列X之后 references.

``ix_holdings_known (known_until, known_from)`` matched almost every row (the
current ones, known_until NULL), yet SQLite chose it for a person's history
over the index on the person, so that ``history`` read the whole table.  Every
question the registry asks of holdings names an organization, a post or a
person first, which the other indexes serve; so it goes.

``ix_actions_ranked_after_person_id``: the notices naming a person (``people
NAME``) and the organizations a merge, split or undo touches are found through
the actions naming them, as subject (already indexed) or in a 列X之后 reference
(this index), instead of by reading every action.  No data changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.drop_index('ix_holdings_known', table_name='holdings')
    op.create_index('ix_actions_ranked_after_person_id', 'actions', ['ranked_after_person_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_actions_ranked_after_person_id', table_name='actions')
    op.create_index('ix_holdings_known', 'holdings', ['known_until', 'known_from'], unique=False)
