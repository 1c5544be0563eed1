"""The schema of version 0.1.0, exactly as its ``create_all`` made it.

Registries written by 0.1.0 carry no revision; they are recognised by their
tables and counted as this revision (``registry.schema.state``).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('meta',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=4), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_name'), ['name'], unique=False)

    op.create_table('notice_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('addressees', sa.String(length=500), nullable=False),
    sa.Column('basis', sa.String(length=500), nullable=False),
    sa.Column('signer', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.Column('superseded_by', sa.String(length=100), nullable=True),
    sa.Column('supersede_kind', sa.String(length=20), nullable=True),
    sa.Column('supersede_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id', 'version')
    )
    op.create_table('org_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alias')
    )
    op.create_table('person_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('other_person_id', sa.Integer(), nullable=False),
    sa.Column('action_ids_json', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by', sa.String(length=100), nullable=True),
    sa.Column('undo_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['other_person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'title')
    )
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('clause', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('concurrent', sa.Boolean(), nullable=False),
    sa.Column('acting', sa.Boolean(), nullable=False),
    sa.Column('probation_months', sa.Integer(), nullable=True),
    sa.Column('secondment', sa.String(length=100), nullable=True),
    sa.Column('ranked_after_name', sa.String(length=100), nullable=True),
    sa.Column('ranked_after_person_id', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['ranked_after_person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['notice_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_version_id'), ['version_id'], unique=False)

    op.create_table('holdings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('concurrent', sa.Boolean(), nullable=False),
    sa.Column('acting', sa.Boolean(), nullable=False),
    sa.Column('inferred', sa.Boolean(), nullable=False),
    sa.Column('probation_until', sa.Date(), nullable=True),
    sa.Column('secondment', sa.String(length=100), nullable=True),
    sa.Column('ranked_after_person_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start_action_id', sa.Integer(), nullable=False),
    sa.Column('end_action_id', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.Column('known_from', sa.DateTime(), nullable=False),
    sa.Column('known_until', sa.DateTime(), nullable=True),
    sa.CheckConstraint('since IS NULL OR until IS NULL OR until > since', name='holding_ends_after_start'),
    sa.ForeignKeyConstraint(['end_action_id'], ['actions.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], ),
    sa.ForeignKeyConstraint(['ranked_after_person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['start_action_id'], ['actions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('holdings', schema=None) as batch_op:
        batch_op.create_index('ix_holdings_known', ['known_until', 'known_from'], unique=False)
        batch_op.create_index('ix_holdings_org_asof', ['org_id', 'since', 'until'], unique=False)
        batch_op.create_index('ix_holdings_person', ['person_id'], unique=False)
        batch_op.create_index('ix_holdings_post_asof', ['post_id', 'since', 'until'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('holdings', schema=None) as batch_op:
        batch_op.drop_index('ix_holdings_post_asof')
        batch_op.drop_index('ix_holdings_person')
        batch_op.drop_index('ix_holdings_org_asof')
        batch_op.drop_index('ix_holdings_known')

    op.drop_table('holdings')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_version_id'))
        batch_op.drop_index(batch_op.f('ix_actions_person_id'))
        batch_op.drop_index(batch_op.f('ix_actions_org_id'))

    op.drop_table('actions')
    op.drop_table('posts')
    op.drop_table('person_events')
    op.drop_table('org_aliases')
    op.drop_table('notice_versions')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_name'))

    op.drop_table('people')
    op.drop_table('organizations')
    op.drop_table('notices')
    op.drop_table('meta')
