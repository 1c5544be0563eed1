"""Provenance: where each notice version's text came from.

The file's name, the document's place in it when the file holds several (a
gazette issue) and, for a PDF, the pages it spans.  Text recorded before
this revision has no provenance on record: the columns stay NULL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PAGES_IN_ORDER = "source_first_page IS NULL OR (source_first_page >= 1 AND source_last_page >= source_first_page)"


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('notice_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_file', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('source_document', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_first_page', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('source_last_page', sa.Integer(), nullable=True))
        batch_op.create_check_constraint('notice_version_pages_in_order', PAGES_IN_ORDER)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('notice_versions', schema=None) as batch_op:
        batch_op.drop_constraint('notice_version_pages_in_order', type_='check')
        batch_op.drop_column('source_last_page')
        batch_op.drop_column('source_first_page')
        batch_op.drop_column('source_document')
        batch_op.drop_column('source_file')
