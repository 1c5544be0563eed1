"""Indexes for reading only the identity decisions that bear on a notice's people.

Recording a notice that is the latest of each organization it names looks up
only the records it names (``derive.person_map`` with people), so it reads the
merges and splits of those records, and of the records joined to them, by
``ix_person_events_person_id`` and ``ix_person_events_other_person_id``,
rather than every event on record.  No data changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_person_events_person_id', 'person_events', ['person_id'], unique=False)
    op.create_index('ix_person_events_other_person_id', 'person_events', ['other_person_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_person_events_other_person_id', table_name='person_events')
    op.drop_index('ix_person_events_person_id', table_name='person_events')
