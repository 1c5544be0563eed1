"""The registry as FollowTheMoney entities: PublicBody/Organization, Position, Person, Occupancy.

Entities are built and validated with the ``followthemoney`` library (the
optional extra ``registry[ftm]``), the model OpenSanctions uses for politically
exposed persons.  The library checks less than an export needs, so this module
checks the rest itself:

- ``EntityProxy.add`` drops a value it cannot clean (a date that is not a date,
  an unknown country) without a word: every value is put back and compared;
- ``Schema.validate`` checks required properties only when the property is
  present and empty, not when it is missing: required properties are checked here;
- it never resolves references: every holder, post and organization must be an
  entity of the same export, and every id unique.

Ids are stable across runs: ``linzhi-person-11``, ``linzhi-org-7``,
``linzhi-position-7`` and ``linzhi-occupancy-11-7-2023-02-06``, from the same
person, post and start as the Popolo ids.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Iterator

from ..dependencies import load
from ..errors import RegistryError
from .records import REGION, Membership, Organization, Snapshot
from ..i18n import _

PREFIX = "linzhi"
COUNTRY = "cn"
GENDERS = {"女": "female", "男": "male"}
# Organs of the city government are public bodies; people's organizations (联合会 and the
# like) are organizations.
PUBLIC_BODY_ENDINGS = ("局", "委员会", "委", "办公室", "办", "政府", "管委会", "院", "厅", "中心", "队")


class ExportError(RegistryError):
    """An entity the export would write is not valid FollowTheMoney."""


def _model():
    return load("followthemoney", _("export ftm")).model


def organization_schema(org: Organization) -> str:
    return "PublicBody" if org.name.endswith(PUBLIC_BODY_ENDINGS) else "Organization"


def entities(snapshot: Snapshot) -> list:
    """The entities of a snapshot (organizations, positions, people, occupancies), checked."""
    model = _model()
    made = []

    def make(schema: str, entity_id: str, properties: list[tuple[str, object]]):
        entity = model.make_entity(schema)
        entity.id = entity_id
        for prop, value in properties:
            put(entity, prop, value)
        made.append(entity)
        return entity

    for org in snapshot.organizations:
        make(organization_schema(org), org_id(org.id), [
            ("name", org.full_name), *[("alias", a) for a in [org.name, *org.aliases] if a != org.full_name],
            ("country", COUNTRY),
        ])
    names = {org.id: org.full_name for org in snapshot.organizations}
    for post in snapshot.posts:
        make("Position", position_id(post.id), [
            ("name", names[post.organization_id] + post.title),
            ("organization", org_id(post.organization_id)),
            ("country", COUNTRY),
            ("subnationalArea", REGION),
        ])
    for person in snapshot.people:
        properties = [("name", person.name)]
        if person.gender in GENDERS:
            properties.append(("gender", GENDERS[person.gender]))
        make("Person", person_id(person.id), properties)
    reference = snapshot.as_of or date.today()
    for m in snapshot.memberships:
        make("Occupancy", occupancy_id(m.key), occupancy_properties(m, reference))
    check(made)
    return made


def occupancy_properties(m: Membership, reference: date) -> list[tuple[str, object]]:
    properties = [
        ("holder", person_id(m.person.id)),
        ("post", position_id(m.post.id)),
        ("status", m.status(reference)),
    ]
    if m.since is not None:
        properties.append(("startDate", m.since.isoformat()))
    if m.until is not None:
        properties.append(("endDate", m.until.isoformat()))
    description = "；".join(m.notes())
    if m.sources:
        description += ("。" if description else "") + "依据：" + "；".join(s.label for s in m.sources)
    if description:
        properties.append(("description", description))
    return properties


def put(entity, prop: str, value) -> None:
    """Add a value and make sure it is there: the library drops what it cannot clean, silently."""
    entity.add(prop, value)
    if str(value) not in entity.get(prop):
        raise ExportError(_("{name} {id}: {prop} {value!r} is not a valid value").format(name=entity.schema.name, id=entity.id, prop=prop, value=value))


def check(made: list) -> None:
    """What the library leaves to us: required properties, unique ids, references that resolve."""
    ids = {}
    for entity in made:
        if entity.id in ids:
            raise ExportError(_("two entities have the id {id}").format(id=entity.id))
        ids[entity.id] = entity
    for entity in made:
        entity.schema.validate(entity.to_dict())
        for prop in entity.schema.required:
            if not entity.get(prop):
                raise ExportError(_("{name} {id} has no {prop}, which the schema requires").format(name=entity.schema.name, id=entity.id, prop=prop))
        for prop, value in entity.itervalues():
            if prop.type.name == "entity":
                target = ids.get(value)
                if target is None:
                    raise ExportError(_("{name} {id}: {name2} {value} is not in the export").format(name=entity.schema.name, id=entity.id, name2=prop.name, value=value))
                if not target.schema.is_a(prop.range):
                    raise ExportError(_("{name} {id}: {name2} {value} is a {name3}, not a {name4}").format(name=entity.schema.name, id=entity.id, name2=prop.name, value=value, name3=target.schema.name, name4=prop.range.name))


def lines(snapshot: Snapshot) -> Iterator[str]:
    """One JSON object per line, as FollowTheMoney tools read them."""
    for entity in entities(snapshot):
        yield json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True)


def org_id(organization_id: int) -> str:
    return f"{PREFIX}-org-{organization_id}"


def position_id(post_id: int) -> str:
    return f"{PREFIX}-position-{post_id}"


def person_id(person_id: int) -> str:
    return f"{PREFIX}-person-{person_id}"


def occupancy_id(key: str) -> str:
    return f"{PREFIX}-occupancy-{key}"
