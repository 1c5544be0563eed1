"""Index notice versions by date.

Recording a notice re-derives an organization incrementally when the notice
is the organization's latest (``derive.extend``); whether it is, is asked of
the versions dated on or after it, which this index finds without reading
every version.  No data changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_notice_versions_date', 'notice_versions', ['date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notice_versions_date', table_name='notice_versions')
