"""Indexes for recording a notice at a constant cost: notice versions by date, the ranking of a post.

Recording a notice re-derives an organization incrementally when the notice
is the organization's latest (``derive.extend``).  Whether it is, is asked of
the versions dated on or after it (``ix_notice_versions_date``); where a new
holder goes is asked of the post's current rows by rank (``ix_holdings_post_rank``,
partial: current rows only), the last one or those after a holder.  Neither
question then reads the whole organization or post.  No data changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_notice_versions_date', 'notice_versions', ['date'], unique=False)
    op.create_index('ix_holdings_post_rank', 'holdings', ['post_id', 'position'], unique=False,
                    sqlite_where=sa.text('known_until IS NULL'), postgresql_where=sa.text('known_until IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_holdings_post_rank', table_name='holdings')
    op.drop_index('ix_notice_versions_date', table_name='notice_versions')
