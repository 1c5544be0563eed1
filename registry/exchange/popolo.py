"""The registry as one Popolo document: persons, organizations, posts and memberships.

Field names and types follow the Popolo specification (popoloproject.com/specs):
ids are strings that resolve inside the document, dates are ISO dates and are
left out, not null, when they are not on record.  Two fields are the
registry's own additions, which Popolo readers ignore: ``note`` on a
membership (an inferred holder, a start not on record, 兼任, 代理, probation),
and ``end_reason``.  Each source is a Popolo link whose ``url`` is a URN naming
the notice (notices have no web address on record), with the document number
and date also given plainly; a holding a starting roster started cites the
roster (``urn:registry:roster:ID``) and the date it speaks for.
"""

from __future__ import annotations

from urllib.parse import quote

from .records import Membership, Snapshot, Source

GENDERS = {"女": "female", "男": "male"}


def person_id(person_id: int) -> str:
    return f"person/{person_id}"


def organization_id(organization_id: int) -> str:
    return f"organization/{organization_id}"


def post_id(post_id: int) -> str:
    return f"post/{post_id}"


def membership_id(key: str) -> str:
    return f"membership/{key}"


def notice_urn(number: str) -> str:
    """A URI for a document number: notices have no web address on record."""
    return "urn:registry:notice:" + quote(number, safe="")


def document(snapshot: Snapshot) -> dict:
    """The Popolo document of a snapshot: {"persons", "organizations", "posts", "memberships"}."""
    persons = []
    for person in snapshot.people:
        entry = {"id": person_id(person.id), "name": person.name}
        if person.gender in GENDERS:
            entry["gender"] = GENDERS[person.gender]
        persons.append(entry)
    organizations = []
    for org in snapshot.organizations:
        other_names = [{"name": org.full_name, "note": "全称"}] if org.full_name != org.name else []
        other_names += [{"name": alias, "note": "简称"} for alias in org.aliases]
        organizations.append({"id": organization_id(org.id), "name": org.name, "other_names": other_names})
    posts = []
    names = {org.id: org.name for org in snapshot.organizations}
    for post in snapshot.posts:
        posts.append({
            "id": post_id(post.id),
            "label": names[post.organization_id] + post.title,
            "role": post.title,
            "organization_id": organization_id(post.organization_id),
        })
    return {
        "persons": persons,
        "organizations": organizations,
        "posts": posts,
        "memberships": [membership(m) for m in snapshot.memberships],
    }


def membership(m: Membership) -> dict:
    entry = {
        "id": membership_id(m.key),
        "person_id": person_id(m.person.id),
        "organization_id": organization_id(m.organization.id),
        "post_id": post_id(m.post.id),
        "role": m.post.title,
    }
    if m.since is not None:
        entry["start_date"] = m.since.isoformat()
    if m.until is not None:
        entry["end_date"] = m.until.isoformat()
        entry["end_reason"] = m.end_reason
    notes = m.notes()
    if notes:
        entry["note"] = "；".join(notes)
    entry["sources"] = [source(s) for s in m.sources]
    return entry


def source(s: Source) -> dict:
    if s.role == "roster":
        return {"url": f"urn:registry:roster:{s.notice.roster_id}", "note": s.label, "date": s.notice.date.isoformat()}
    return {
        "url": notice_urn(s.notice.number),
        "note": s.label,
        "number": s.notice.number,
        "date": s.notice.date.isoformat(),
    }
