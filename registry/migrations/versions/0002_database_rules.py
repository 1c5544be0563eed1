"""The rules the database holds.

- CHECK constraints on every closed set of values (action kinds, end reasons,
  supersede kinds, person event kinds) and on known_until > known_from;
- at most one active version per notice (a partial unique index);
- a split's actions in a link table with foreign keys (person_event_actions),
  moved out of the JSON column ``person_events.action_ids_json``;
- no two current holdings of one person in one post that share a date: an
  exclusion constraint (btree_gist) on PostgreSQL, triggers on SQLite.

Data that breaks a rule is not silently changed: the upgrade is refused in one
sentence naming the rows, and nothing is changed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import json
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from registry.errors import RegistryError

revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The values as of this revision (frozen here: later revisions change them, not this one).
ACTION_KINDS = "'appoint', 'remove'"
END_REASONS = "'removed', 'resigned', 'retired', 'probation_terminated', 'reassigned', 'secondment_ended', 'confirmed'"
SUPERSEDE_KINDS = "'retracted', 'amended'"
EVENT_KINDS = "'merge', 'split'"
EVENT_ROLES = "'subject', 'ranked_after'"

_OVERLAPPING_CURRENT_HOLDING = """
    SELECT RAISE(ABORT, 'holding_no_overlap: two current holdings of one person in one post share a date')
    WHERE EXISTS (
        SELECT 1 FROM holdings AS other
        WHERE other.known_until IS NULL AND other.id IS NOT NEW.id
          AND other.person_id = NEW.person_id AND other.post_id = NEW.post_id
          AND (other.since IS NULL OR NEW.until IS NULL OR other.since < NEW.until)
          AND (NEW.since IS NULL OR other.until IS NULL OR NEW.since < other.until)
    );
"""
SQLITE_TRIGGERS = {
    "holding_no_overlap_insert": (
        "CREATE TRIGGER holding_no_overlap_insert BEFORE INSERT ON holdings "
        f"FOR EACH ROW WHEN NEW.known_until IS NULL BEGIN {_OVERLAPPING_CURRENT_HOLDING} END"
    ),
    "holding_no_overlap_update": (
        "CREATE TRIGGER holding_no_overlap_update "
        "BEFORE UPDATE OF person_id, post_id, since, until, known_until ON holdings "
        f"FOR EACH ROW WHEN NEW.known_until IS NULL BEGIN {_OVERLAPPING_CURRENT_HOLDING} END"
    ),
}

# (query of offending ids, what they break): checked before any rule is added.
_BROKEN = (
    ("SELECT a.id, b.id FROM holdings a JOIN holdings b ON a.person_id = b.person_id AND a.post_id = b.post_id "
     "AND a.id < b.id WHERE a.known_until IS NULL AND b.known_until IS NULL "
     "AND (a.since IS NULL OR b.until IS NULL OR a.since < b.until) "
     "AND (b.since IS NULL OR a.until IS NULL OR b.since < a.until)",
     "current holdings of one person in one post share a date (holdings {ids})"),
    ("SELECT id FROM holdings WHERE known_until IS NOT NULL AND known_until <= known_from",
     "holdings are known until a time not after they were known from (holdings {ids})"),
    (f"SELECT id FROM holdings WHERE end_reason IS NOT NULL AND end_reason NOT IN ({END_REASONS})",
     "holdings have an end reason the registry does not know (holdings {ids})"),
    (f"SELECT id FROM actions WHERE kind NOT IN ({ACTION_KINDS}) "
     f"OR (end_reason IS NOT NULL AND end_reason NOT IN ({END_REASONS}))",
     "actions have a kind or end reason the registry does not know (actions {ids})"),
    (f"SELECT id FROM notice_versions WHERE supersede_kind IS NOT NULL AND supersede_kind NOT IN ({SUPERSEDE_KINDS})",
     "notice versions are superseded in a way the registry does not know (versions {ids})"),
    ("SELECT notice_id FROM notice_versions WHERE superseded_at IS NULL GROUP BY notice_id HAVING count(*) > 1",
     "notices have more than one active version (notices {ids})"),
    (f"SELECT id FROM person_events WHERE kind NOT IN ({EVENT_KINDS})",
     "person events have a kind the registry does not know (events {ids})"),
)


def _refuse_broken(bind) -> None:
    for query, what in _BROKEN:
        rows = bind.execute(sa.text(query)).all()
        if rows:
            ids = ", ".join(sorted({str(i) for row in rows for i in row}, key=int)[:10])
            raise RegistryError(f"the registry cannot be upgraded as it stands: {what.format(ids=ids)}; "
                                f"correct them with the program that wrote it, then upgrade; nothing was changed")


def upgrade() -> None:
    bind = op.get_bind()
    _refuse_broken(bind)

    op.create_table(
        'person_event_actions',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.CheckConstraint(f"role IN ({EVENT_ROLES})", name='person_event_action_role'),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ),
        sa.ForeignKeyConstraint(['event_id'], ['person_events.id'], ),
        sa.PrimaryKeyConstraint('event_id', 'action_id', 'role'),
    )
    links = sa.table('person_event_actions', sa.column('event_id'), sa.column('action_id'), sa.column('role'))
    rows = []
    for event_id, action_ids in bind.execute(sa.text("SELECT id, action_ids_json FROM person_events ORDER BY id")):
        pairs = dict.fromkeys((item["action"], item["role"]) for item in json.loads(action_ids or "[]"))
        rows += [{"event_id": event_id, "action_id": action, "role": role} for action, role in pairs]
    if rows:
        op.bulk_insert(links, rows)

    with op.batch_alter_table('person_events', schema=None) as batch_op:
        batch_op.create_check_constraint('person_event_kind', f"kind IN ({EVENT_KINDS})")
        batch_op.drop_column('action_ids_json')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_check_constraint('action_kind', f"kind IN ({ACTION_KINDS})")
        batch_op.create_check_constraint('action_end_reason', f"end_reason IS NULL OR end_reason IN ({END_REASONS})")

    with op.batch_alter_table('notice_versions', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'notice_version_supersede_kind', f"supersede_kind IS NULL OR supersede_kind IN ({SUPERSEDE_KINDS})")
        batch_op.create_index('ux_notice_versions_active', ['notice_id'], unique=True,
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))

    with op.batch_alter_table('holdings', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'holding_known_until_after_from', 'known_until IS NULL OR known_until > known_from')
        batch_op.create_check_constraint(
            'holding_end_reason', f"end_reason IS NULL OR end_reason IN ({END_REASONS})")

    # Last, because a batch copy of holdings on SQLite would drop its triggers.
    if bind.dialect.name == 'postgresql':
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE holdings ADD CONSTRAINT holding_no_overlap EXCLUDE USING gist "
            "(person_id WITH =, post_id WITH =, daterange(since, until, '[)') WITH &&) "
            "WHERE (known_until IS NULL) DEFERRABLE INITIALLY DEFERRED"
        )
    elif bind.dialect.name == 'sqlite':
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("ALTER TABLE holdings DROP CONSTRAINT holding_no_overlap")
    elif bind.dialect.name == 'sqlite':
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    with op.batch_alter_table('holdings', schema=None) as batch_op:
        batch_op.drop_constraint('holding_end_reason', type_='check')
        batch_op.drop_constraint('holding_known_until_after_from', type_='check')
    with op.batch_alter_table('notice_versions', schema=None) as batch_op:
        batch_op.drop_index('ux_notice_versions_active')
        batch_op.drop_constraint('notice_version_supersede_kind', type_='check')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint('action_end_reason', type_='check')
        batch_op.drop_constraint('action_kind', type_='check')
    with op.batch_alter_table('person_events', schema=None) as batch_op:
        batch_op.drop_constraint('person_event_kind', type_='check')
        batch_op.add_column(sa.Column('action_ids_json', sa.Text(), nullable=False, server_default='[]'))
    events: dict[int, list] = {}
    for event_id, action_id, role in bind.execute(sa.text(
            "SELECT event_id, action_id, role FROM person_event_actions ORDER BY event_id, action_id, role")):
        events.setdefault(event_id, []).append({"action": action_id, "role": role})
    for event_id, items in events.items():
        bind.execute(sa.text("UPDATE person_events SET action_ids_json = :ids WHERE id = :id"),
                     {"ids": json.dumps(items), "id": event_id})
    op.drop_table('person_event_actions')
