"""The order in which the office lists organizations: 市政府 first, then the city's list.

Printed rosters of every bureau follow the order of the city government's own
list of its departments (政府工作部门, then 直属特设机构 and 直属机构, then the
development zone and the people's organizations), because that is the order a
clerk looks for them in.  An office with its own list passes it as a file, one
organization a line; organizations it does not name follow in this order.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from .errors import RegistryError
from .orgs import canonical_org_name, lookup_org
from .text import decode
from .i18n import _

# Canonical names, as the notices write them (市 prefix).  Kept in the README too.
DEFAULT_ORDER: tuple[str, ...] = (
    "市政府",
    "市政府办公室",
    "市发展和改革委员会",
    "市教育局",
    "市科学技术局",
    "市经济和信息化局",
    "市民族宗教事务局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化广电局",
    "市卫生健康委员会",
    "市退役军人事务局",
    "市应急管理局",
    "市审计局",
    "市政府国有资产监督管理委员会",
    "市市场监督管理局",
    "市统计局",
    "市林业和草原局",
    "市医疗保障局",
    "市乡村振兴局",
    "市城市管理和综合执法局",
    "市行政审批和便民服务局",
    "市国防动员办公室",
    "林芝经济开发区管委会",
    "市妇女联合会",
    "市残疾人联合会第二届主席团执行理事会",
)


def read_order(session: Session, path: Path) -> list[str]:
    """The organizations named in an order file, as canonical names, in its order.

    One name or short form a line; blank lines and lines starting with # are
    skipped.  A name the registry does not know is refused with the closest ones,
    quoting the line, so that a typo cannot silently move a bureau to the end.
    """
    try:
        text = decode(path.read_bytes())
    except OSError as error:
        raise RegistryError(_("cannot read the order file {path}: {strerror}").format(path=path, strerror=error.strerror)) from None
    names: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            org = lookup_org(session, line)
        except RegistryError as error:
            raise RegistryError(_("{path} line {number}: {error}").format(path=path, number=number, error=error)) from None
        if org.name not in names:
            names.append(org.name)
    return names


def order_key(first: list[str] | None = None):
    """A sort key for canonical organization names: ``first`` (an office's list), then the
    default list, then any other organization by name."""
    ranks: dict[str, int] = {}
    for name in list(first or ()) + [canonical_org_name(n) for n in DEFAULT_ORDER]:
        ranks.setdefault(name, len(ranks))
    return lambda name: (ranks.get(name, len(ranks)), name)
