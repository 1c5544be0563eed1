"""Organization names, their short forms, and the title lexicon.

Notices write posts as one run of characters ("市卫生健康委员会副主任"); the
longest title in the lexicon that ends the run is the title, and the rest is
the organization.  Users type short forms (市卫生健康委, 卫健委), so lookup
accepts the canonical name, the name with or without the 林芝 / 林芝市 prefix,
and the aliases below, which are the forms the city's own documents use.
"""

from __future__ import annotations

import difflib

from typing import Iterable, NamedTuple

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import Organization, OrgAlias
from .i18n import _

# Head titles lead a roster; 常务副… and 副… follow; anything else comes last.
HEAD_TITLES = (
    "主任", "局长", "理事长", "秘书长", "市长", "主席", "书记", "部长", "院长", "馆长", "社长",
    "行长", "队长", "所长", "处长", "站长", "团长", "校长", "会长", "总经理", "董事长", "司令员",
    "政委", "检察长", "主任委员", "党组书记", "科长", "区长", "县长", "组长", "总编辑", "台长",
)
OTHER_TITLES = (
    "秘书", "委员", "党组成员", "调研员", "一级调研员", "二级调研员", "三级调研员", "四级调研员",
    "巡视员", "一级巡视员", "二级巡视员", "总工程师", "总会计师", "总经济师", "总规划师", "总督学",
    "督学", "主任科员", "副调研员", "首席专家", "执行董事", "监事", "监事会主席", "党组副书记",
)


def _title_lexicon() -> tuple[str, ...]:
    titles = set(HEAD_TITLES) | set(OTHER_TITLES)
    for head in HEAD_TITLES:
        titles.add("副" + head)
        titles.add("常务副" + head)
    # Longest first, so that "副主任" wins over "主任" and "常务副主任" over both.
    return tuple(sorted(titles, key=len, reverse=True))


TITLES = _title_lexicon()


def title_class(title: str) -> int:
    """0 for a head, 1 for 常务副…, 2 for 副…, 3 for anything else."""
    if title in HEAD_TITLES:
        return 0
    if title.startswith("常务副") and title[3:] in HEAD_TITLES:
        return 1
    if title.startswith("副") and title[1:] in HEAD_TITLES:
        return 2
    return 3


def roster_rank(title: str) -> int:
    """Where a title stands in a roster, as an office lists its leadership: 党组书记 first, then
    the heads, 党组副书记, 常务副…, 副…, 党组成员 after the deputies, anything else last."""
    if title == "党组书记":
        return 0
    if title in ("党组副书记", "副党组书记"):
        return 2
    if title == "党组成员":
        return 5
    return (1, 3, 4, 6)[title_class(title)]


def split_title(post: str) -> tuple[str, str] | None:
    """Split "市卫生健康委员会副主任" into ("市卫生健康委员会", "副主任"); None if no title ends it.

    The organization part may be empty: "党组书记" alone is a title whose
    organization the caller must supply from context.
    """
    for title in TITLES:
        if post.endswith(title):
            return post[: -len(title)], title
    return None


# Canonical name -> the short forms in use.  Canonical names are written with the
# 市 prefix, as the notices write them; 林芝市/林芝 prefixes are accepted anyway.
KNOWN_ALIASES: dict[str, tuple[str, ...]] = {
    "市政府": ("市人民政府", "林芝市人民政府"),
    "市发展和改革委员会": ("市发展改革委", "发展改革委", "市发改委", "发改委"),
    "市卫生健康委员会": ("市卫生健康委", "卫生健康委", "市卫健委", "卫健委"),
    "市市场监督管理局": ("市市场监管局", "市场监管局"),
    "市政府国有资产监督管理委员会": ("市政府国资委", "政府国资委", "市国资委", "国资委"),
    "市林业和草原局": ("市林草局", "林草局"),
    "市人力资源和社会保障局": ("市人力资源社会保障局", "市人社局", "人社局"),
    "林芝经济开发区管委会": ("林芝经开区", "经开区", "林芝经济开发区", "经开区管委会", "林芝经济开发区管理委员会"),
    "市民族宗教事务局": ("市民宗局", "民宗局"),
    "市医疗保障局": ("市医保局", "医保局"),
    "市经济和信息化局": ("市经信局", "经信局"),
    "市住房和城乡建设局": ("市住建局", "住建局"),
    "市城市管理和综合执法局": ("市城管局", "城管局", "市城管执法局"),
    "市国防动员办公室": ("市国动办", "国动办"),
    "市文化广电局": ("市文广局", "文广局"),
    "市行政审批和便民服务局": ("市行政审批局", "行政审批局"),
    "市退役军人事务局": ("市退役军人局", "退役军人局"),
    "市妇女联合会": ("市妇联", "妇联"),
    "市残疾人联合会第二届主席团执行理事会": ("市残联执行理事会", "残联执行理事会"),
}


def canonical_org_name(name: str) -> str:
    """林芝市X and 林芝X are written 市X, as the notices do; 林芝经济开发区… keeps its prefix."""
    if name.startswith("林芝市"):
        return "市" + name[len("林芝市"):]
    for canonical, aliases in KNOWN_ALIASES.items():
        if name in aliases:
            return canonical
    return name


def spellings(name: str) -> list[str]:
    """The canonical names a typed name may stand for: as typed, with 林芝市/林芝 written 市,
    with 市 added, and with 林芝 added (林芝经济开发区管委会 keeps its prefix)."""
    name = name.strip()
    candidates = [name, canonical_org_name(name)]
    if name.startswith("林芝") and not name.startswith("林芝市"):
        candidates.append("市" + name[len("林芝"):])
    if not name.startswith(("市", "林芝")):
        candidates += ["市" + name, "林芝" + name]
    return list(dict.fromkeys(candidates))


def find_org(session: Session, name: str) -> Organization | None:
    """The organization a name or alias denotes, or None."""
    found = find_org_row(session, name)
    return session.get(Organization, found.id) if found is not None else None


class OrgRow(NamedTuple):
    id: int
    name: str


def _spelling_statement(spelt=None):
    orgs, aliases = Organization.__table__, OrgAlias.__table__
    by_name = select(orgs.c.id, orgs.c.name, orgs.c.name.label("spelling"), literal(0).label("by_alias"))
    by_alias = select(orgs.c.id, orgs.c.name, aliases.c.alias.label("spelling"), literal(1).label("by_alias")) \
        .join(aliases, aliases.c.org_id == orgs.c.id)
    if spelt is not None:
        by_name, by_alias = by_name.where(orgs.c.name.in_(spelt)), by_alias.where(aliases.c.alias.in_(spelt))
    return union_all(by_name, by_alias)


# Built once, so that each is compiled once.
_BY_SPELLING = _spelling_statement(bindparam("spellings", expanding=True))
_LEXICON = _spelling_statement()


def org_lexicon(session: Session) -> list:
    """Every spelling of every organization, its name's and its aliases', with the organization:
    rows of (id, name, spelling, by_alias).  The parser reads a notice with the spellings, and
    ``choose_org_rows`` finds the notice's organizations among the rows, with no further query."""
    return session.connection().execute(_LEXICON).all()


def find_org_row(session: Session, name: str) -> OrgRow | None:
    """The organization a name denotes, in one query: the first spelling (in the order
    ``spellings`` gives them) that is an organization's name or, failing that, an alias."""
    return find_org_rows(session, [name])[name]


def find_org_rows(session: Session, names: Iterable[str]) -> dict[str, OrgRow | None]:
    """``find_org_row`` for several names, in one query."""
    candidates = {name: spellings(name) for name in names}
    if not candidates:
        return {}
    rows = session.execute(_BY_SPELLING, {"spellings": sorted(set().union(*candidates.values()))}).all()
    return choose_org_rows(candidates, rows)


def choose_org_rows(names: Iterable[str] | dict[str, list[str]], rows) -> dict[str, OrgRow | None]:
    """``find_org_rows`` among rows of (id, name, spelling, by_alias) already read: every row of
    the names' spellings (as ``_BY_SPELLING`` reads them) or more (``org_lexicon``)."""
    candidates = names if isinstance(names, dict) else {name: spellings(name) for name in names}
    by_spelling: dict[str, list] = {}
    for row in rows:
        by_spelling.setdefault(row.spelling, []).append(row)
    found: dict[str, OrgRow | None] = {}
    for name, spelt in candidates.items():
        mine = [row for spelling in spelt for row in by_spelling.get(spelling, ())]
        best = min(mine, key=lambda row: (spelt.index(row.spelling), row.by_alias), default=None)
        found[name] = None if best is None else OrgRow(best.id, best.name)
    return found


def org_row(session: Session, name: str) -> OrgRow:
    """``lookup_org`` as plain columns, for the questions: (id, name)."""
    found = find_org_row(session, name)
    if found is not None:
        return found
    lookup_org(session, name)  # raises NotFound, naming the closest matches
    raise AssertionError("lookup_org found what org_row did not")


def lookup_org(session: Session, name: str) -> Organization:
    """Like find_org, but an unknown name is an error that lists the closest matches."""
    org = find_org(session, name)
    if org is not None:
        return org
    names = list(session.scalars(select(Organization.name))) + list(session.scalars(select(OrgAlias.alias)))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    hint = _("; closest: {items}").format(items=', '.join(close)) if close else ""
    raise NotFound(_("no organization called {name!r}{hint}").format(name=name, hint=hint))


def create_org(session: Session, name: str) -> Organization:
    """Create an organization with its known short forms as aliases."""
    org = Organization(name=name)
    session.add(org)
    session.flush()
    for alias in KNOWN_ALIASES.get(name, ()):
        taken = session.scalar(select(OrgAlias).where(OrgAlias.alias == alias))
        exists_as_name = session.scalar(select(Organization).where(Organization.name == alias))
        if taken is None and exists_as_name is None:
            session.add(OrgAlias(org_id=org.id, alias=alias))
    session.flush()
    return org
