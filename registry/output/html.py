"""A document as one self-contained HTML file, laid out for printing on A4 portrait.

Nothing is fetched: the styles are inline and the fonts are the system's CJK
families, named in a fallback list that covers Debian (Noto CJK, WenQuanYi),
Windows (SimSun, SimHei, Microsoft YaHei) and macOS (Songti, PingFang).  Each
section starts a page and is kept whole when it fits on one; a longer table
repeats its header row on every page.  Page numbers come from the @page margin
box, which Chromium, Edge and Firefox print.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from .document import Document, Section, chinese_date, full_name

SERIF = ('"Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "Songti SC", "SimSun", "宋体", '
         '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", serif')
SANS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "SimHei", "黑体", "Heiti SC", '
        '"WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif')

STYLE = f"""
@page {{
  size: A4 portrait;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-center {{ content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font: 9pt {SERIF}; }}
}}
html {{ font-family: {SERIF}; font-size: 11pt; color: #000; }}
body {{ margin: 0; }}
section {{ break-inside: avoid; page-break-inside: avoid; }}
section + section {{ break-before: page; page-break-before: always; }}
h1 {{ font-family: {SANS}; font-size: 16pt; font-weight: bold; text-align: center; margin: 0 0 3mm; }}
p.date {{ text-align: center; margin: 0 0 5mm; }}
table {{ width: 100%; border-collapse: collapse; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th, td {{ border: 0.6pt solid #000; padding: 1.6mm 1.8mm; vertical-align: middle; overflow-wrap: anywhere; }}
th {{ font-family: {SANS}; font-weight: bold; text-align: center; background: #f0f0f0; }}
td.center {{ text-align: center; }}
th, td.keep {{ white-space: nowrap; }}
p.empty {{ text-align: center; margin: 8mm 0; }}
p.signatures {{ margin: 7mm 0 0; display: flex; justify-content: space-between; }}
ul.without {{ margin: 0; padding-left: 2em; line-height: 1.8; }}
@media screen {{
  body {{ max-width: 178mm; margin: 12mm auto; }}
  section {{ padding-bottom: 12mm; margin-bottom: 12mm; border-bottom: 1px dashed #888; }}
}}
"""

# Columns whose cells are short and read best centred.
CENTRED = {"序号", "姓名", "职务", "任职时间", "任职截止", "日期", "变动", "人员ID"}
# Columns never broken across lines (names, titles, dates, numbers): the browser sizes them to fit, and the
# other columns (names of units, 备注) wrap in what is left.
KEPT_WHOLE = {"序号", "姓名", "职务", "任职时间", "任职截止", "日期", "文号", "任命文号", "免职文号", "变动", "人员ID"}


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return chinese_date(value)
    return str(value)


def _cell(column: str, value: Any) -> str:
    classes = " ".join(name for name, wanted in (("center", column in CENTRED), ("keep", column in KEPT_WHOLE))
                       if wanted)
    return f'<td class="{classes}">{escape(cell_text(value))}</td>' if classes else f"<td>{escape(cell_text(value))}</td>"


def _table(section: Section) -> list[str]:
    out = ["<table>", "<thead><tr>"]
    out += [f"<th>{escape(c)}</th>" for c in section.columns]
    out += ["</tr></thead>", "<tbody>"]
    for row in section.rows:
        out.append("<tr>" + "".join(_cell(c, v) for c, v in zip(section.columns, row)) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _signatures(made_on: date) -> str:
    return (f'<p class="signatures"><span>制表人：</span><span>审核人：</span>'
            f"<span>制表日期：{chinese_date(made_on)}</span></p>")


def to_html(document: Document) -> str:
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{escape(document.title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>"]
    for section in document.sections:
        out += ["<section>", f"<h1>{escape(section.heading)}</h1>", f'<p class="date">{escape(section.date_line)}</p>']
        out += _table(section) if section.rows else [f'<p class="empty">{escape(section.empty)}</p>']
        out += [_signatures(document.made_on), "</section>"]
    if document.without_holders:
        day = f"截至{chinese_date(document.as_of)}" if document.as_of else ""
        out += ["<section>", "<h1>无任职记录的单位</h1>", f'<p class="date">（{day}）</p>', '<ul class="without">']
        out += [f"<li>{escape(full_name(name))}</li>" for name in document.without_holders]
        out += ["</ul>", "</section>"]
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
