"""Golden parses of the six bundled notices, read off the gazette text by hand.

Each expected value below was checked against data/notices/*.txt, not copied
from the parser: the number line, the title, the addressees, the 经…研究，决定
line, the signing body, the date, and every act in text order.  The tuples are
(kind, name, org, title, concurrent, acting, probation_months, ranked_after,
end_reason, same_person_as).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from registry.errors import NotFound
from registry.parse import parse_notice
from registry.inputs import normalize_number
from registry.text import content_hash

ISSUER = "林芝市人民政府"
ADDRESSEES = "各县（区）人民政府，市各委、办、局"
BASIS_PARTY_GROUP = "经中共林芝市人民政府党组2023年第1次会议研究，决定"

HEALTH = "市卫生健康委员会"
ZONE = "林芝经济开发区管委会"
DISABLED = "市残疾人联合会第二届主席团执行理事会"

GOLDEN = {
    2: dict(
        number="林政发〔2023〕2号", series="林政发", year=2023, seq=2, date=date(2023, 2, 6),
        issuer=ISSUER, title="关于李宁博同志任职的通知",
        addressees=ADDRESSEES, basis=BASIS_PARTY_GROUP, signer=ISSUER,
        actions=[
            ("appoint", "李宁博", "市水利局", "副局长", False, False, None, "王程", None, None),
        ],
    ),
    3: dict(
        number="林政发〔2023〕3号", series="林政发", year=2023, seq=3, date=date(2023, 2, 6),
        issuer=ISSUER, title="关于杨帆等同志任免职的通知",
        addressees=ADDRESSEES, basis=BASIS_PARTY_GROUP, signer=ISSUER,
        actions=[
            ("remove", "杨帆", "市政府", "副秘书长", False, False, None, None, "removed", None),
            ("appoint", "王冲飞", "市发展和改革委员会", "副主任", False, False, 12, None, None, None),
            ("remove", "索朗平措", "市民族宗教事务局", "副局长", False, False, None, None, "removed", None),
            ("remove", "周改玲", "市财政局", "副局长", False, False, None, None, "removed", None),
            ("remove", "张利", "市商务局", "副局长", False, False, None, None, "removed", None),
            ("appoint", "李艳君", "市商务局", "副局长", False, False, 12, None, None, None),
            ("remove", "赵线", HEALTH, "副主任", False, False, None, None, "removed", None),
            ("appoint", "胡秀兰", HEALTH, "副主任", False, False, None, "尼玛", None, None),
            ("appoint", "罗布顿珠", HEALTH, "副主任", False, False, None, "胡秀兰", None, None),
            # …，免去其市市场监督管理局副局长职务: the person of action 8 (罗布顿珠).
            ("remove", "罗布顿珠", "市市场监督管理局", "副局长", False, False, None, None, "removed", 8),
            ("remove", "边巴", "市政府国有资产监督管理委员会", "副主任", False, False, None, None, "removed", None),
            ("remove", "尼玛", "市乡村振兴局", "副局长", False, False, None, None, "removed", None),
            ("appoint", "龙小华", "市医疗保障局", "副局长", False, False, None, "旺堆", None, None),
            ("remove", "益西卓玛", "市城市管理和综合执法局", "副局长", False, False, None, None, "removed", None),
        ],
    ),
    4: dict(
        number="林政发〔2023〕4号", series="林政发", year=2023, seq=4, date=date(2023, 2, 6),
        issuer=ISSUER, title="关于雷增炎、徐继军同志任免职的通知",
        addressees=ADDRESSEES, basis=BASIS_PARTY_GROUP, signer=ISSUER,
        actions=[
            ("remove", "雷增炎", "市生态环境局", "副局长", False, False, None, None, "removed", None),
            ("appoint", "徐继军", "市生态环境局", "副局长", False, False, None, None, None, None),
        ],
    ),
    5: dict(
        number="林政发〔2023〕5号", series="林政发", year=2023, seq=5, date=date(2023, 2, 6),
        issuer=ISSUER, title="关于米次等同志任免职的通知",
        addressees=ADDRESSEES, basis=BASIS_PARTY_GROUP, signer=ISSUER,
        actions=[
            ("remove", "米次", ZONE, "副主任", False, False, None, None, "removed", None),
            ("appoint", "洛桑吉美", "市国防动员办公室", "主任", False, False, None, None, None, None),
            ("appoint", "索朗群宗", "市经济和信息化局", "副局长", False, False, None, "徐斌", None, None),
            ("appoint", "董天文", "市住房和城乡建设局", "副局长", False, False, 12, None, None, None),
            ("appoint", "何正勇", "市农业农村局", "副局长", False, False, None, "乔多吉", None, None),
            ("appoint", "罗布", "市林业和草原局", "副局长", False, False, 12, None, None, None),
        ],
    ),
    6: dict(
        number="林政发〔2023〕6号", series="林政发", year=2023, seq=6, date=date(2023, 2, 6),
        issuer=ISSUER, title="关于马冰、陈健华同志任免职的通知",
        addressees=ADDRESSEES, basis=BASIS_PARTY_GROUP, signer=ISSUER,
        actions=[
            ("appoint", "马冰", ZONE, "主任", True, False, None, None, None, None),
            # 免去其兼任的…常务副主任职务: a concurrent post of the person of action 0.
            ("remove", "马冰", ZONE, "常务副主任", True, False, None, None, "removed", 0),
            ("appoint", "陈健华", ZONE, "副主任", True, False, None, "向巴次仁", None, None),
        ],
    ),
    8: dict(
        number="林政发〔2023〕8号", series="林政发", year=2023, seq=8, date=date(2023, 2, 9),
        issuer=ISSUER, title="关于任命林芝市残疾人联合会第二届主席团执行理事会理事长、副理事长的通知",
        addressees=ADDRESSEES, basis="经林芝市人民政府研究，决定", signer=ISSUER,
        actions=[
            # X同志担任Y: 同志 is not part of the name; 林芝市… is written 市….
            ("appoint", "尼仓", DISABLED, "理事长", False, False, None, None, None, None),
            ("appoint", "郑明", DISABLED, "副理事长", False, False, None, None, None, None),
        ],
    ),
}

HEADER_FIELDS = ("number", "series", "year", "seq", "date", "issuer", "title", "addressees", "basis", "signer")


def action_tuple(a) -> tuple:
    return (a.kind, a.name, a.org, a.title, a.concurrent, a.acting, a.probation_months, a.ranked_after,
            a.end_reason, a.same_person_as)


def assert_golden(parsed, n: int) -> None:
    expected = GOLDEN[n]
    assert {f: getattr(parsed, f) for f in HEADER_FIELDS} == {f: expected[f] for f in HEADER_FIELDS}
    assert [action_tuple(a) for a in parsed.actions] == expected["actions"]


@pytest.mark.parametrize("n", sorted(GOLDEN))
def test_golden_parse(n, notice_text):
    assert_golden(parse_notice(notice_text(n)), n)


def test_every_bundled_notice_has_a_golden_parse(notice_text):
    from conftest import NOTICES

    assert sorted(NOTICES) == sorted(GOLDEN) == [2, 3, 4, 5, 6, 8]


@pytest.mark.parametrize("n", sorted(GOLDEN))
def test_no_secondment_or_gender_in_the_seed(n, notice_text):
    parsed = parse_notice(notice_text(n))
    assert [(a.secondment, a.gender) for a in parsed.actions] == [(None, None)] * len(GOLDEN[n]["actions"])


def test_parse_is_pure_and_repeatable(notice_text):
    """No state carries over between parses: the same text gives the golden parse again after
    every other notice has been parsed (with and without known organizations), and changing one
    result does not change the next."""
    text = notice_text(3)
    first = parse_notice(text)
    assert_golden(first, 3)
    first.actions.clear()
    first.actions.append(parse_notice(notice_text(2)).actions[0])
    for n in sorted(GOLDEN):
        parse_notice(notice_text(n))
        parse_notice(notice_text(n), known_orgs=["市水利局", "林芝市卫生健康委员会", "卫健委"])
    again = parse_notice(text)
    assert again is not first
    assert_golden(again, 3)
    assert text == notice_text(3)


def test_clauses_are_joined_across_broken_lines(notice_text):
    actions = parse_notice(notice_text(3)).actions
    # The gazette breaks "…副" / "局长职务；" over two lines with a blank line between.
    joined = "罗布顿珠任市卫生健康委员会副主任（列胡秀兰之后），免去其市市场监督管理局副局长职务"
    assert actions[8].clause == actions[9].clause == joined
    assert actions[1].clause == "王冲飞任市发展和改革委员会副主任（试用期1年）"
    assert actions[0].clause == "免去杨帆的市政府副秘书长职务"

    actions = parse_notice(notice_text(6)).actions
    joined = "马冰兼任林芝经济开发区管委会主任，免去其兼任的林芝经济开发区管委会常务副主任职务"
    assert actions[0].clause == actions[1].clause == joined
    assert actions[2].clause == "陈健华兼任林芝经济开发区管委会副主任（列向巴次仁之后）"


# -- the number line ----------------------------------------------------------------

@pytest.mark.parametrize("number_line", [
    "林政发〔2023〕2 号",  # as in the gazette
    "林政发〔2023〕2号",
    "林政发 〔2023〕 2 号",
    "林政发〔 2023 〕2号",
    "林政发 〔 2023 〕 2  号",
    "林政发〔2023〕02号",
    "林政发[2023]2号",
    "林政发［2023］2号",
    "林政发(2023)2号",
    "林政发（2023）2号",
    "林政发【2023】2号",
])
def test_number_normalizes_whatever_the_spacing_or_brackets(number_line, notice_text):
    text = notice_text(2)
    assert "林政发〔2023〕2 号" in text
    parsed = parse_notice(text.replace("林政发〔2023〕2 号", number_line))
    assert (parsed.number, parsed.series, parsed.year, parsed.seq) == ("林政发〔2023〕2号", "林政发", 2023, 2)
    assert [action_tuple(a) for a in parsed.actions] == GOLDEN[2]["actions"]


@pytest.mark.parametrize("typed", [
    "林政发〔2023〕3号", "林政发〔2023〕3 号", "林政发[2023]3号", "林政发(2023)3号", "林政发（2023）3号",
    " 林政发〔2023〕03号 ",
])
def test_normalize_number(typed):
    assert normalize_number(typed) == "林政发〔2023〕3号"


def test_normalize_number_refuses_text_that_is_no_number():
    with pytest.raises(NotFound) as caught:
        normalize_number("卫健委")
    assert str(caught.value) == "'卫健委' is not a document number such as 林政发〔2023〕3号"


# -- page noise -----------------------------------------------------------------------

NOISE_BLOCKS = [
    "\n2023 年·第一期 市政府文件\n\n— 29 —\n",  # the seed's own header and footer
    "\n— 30 —\n\n2023 年·第一期 市政府文件\n",
    "\n2023年·第一期  市政府文件\n",
    "\n- 31 -\n",
]


@pytest.mark.parametrize("noise", NOISE_BLOCKS)
def test_page_noise_inside_a_split_clause_is_dropped(noise, notice_text):
    text = notice_text(3)
    split = "免去其市市场监督管理局副\n\n局长职务；"
    assert split in text
    noisy = text.replace(split, "免去其市市场监督管理局副\n" + noise + "\n局长职务；")
    parsed = parse_notice(noisy)
    assert_golden(parsed, 3)
    assert parsed.actions[9].clause == "罗布顿珠任市卫生健康委员会副主任（列胡秀兰之后），免去其市市场监督管理局副局长职务"
    assert not re.search(r"市政府文件|第一期|\d+ *[—-]", "".join(a.clause for a in parsed.actions))
    # Noise is not content: the noisy copy is the same notice.
    assert content_hash(noisy) == content_hash(text)


@pytest.mark.parametrize("noise", NOISE_BLOCKS)
def test_page_noise_inside_a_split_title_is_dropped(noise, notice_text):
    text = notice_text(6)
    split = "常务副主\n\n任职务；"
    assert split in text
    parsed = parse_notice(text.replace(split, "常务副主\n" + noise + "\n任职务；"))
    assert_golden(parsed, 6)


def test_page_noise_after_the_date_is_dropped(notice_text):
    text = notice_text(4)
    assert "2023 年·第一期 市政府文件" in text and "— 29 —" in text
    parsed = parse_notice(text)
    assert_golden(parsed, 4)
    assert parsed.date == date(2023, 2, 6)
    assert content_hash(text) == content_hash(text.split("2023 年·第一期")[0])


def test_the_six_notices_ship_with_the_package():
    from registry.record import bundled_notice_files

    assert [p.name for p in bundled_notice_files()] == [
        f"linzhengfa-2023-0{n}.txt" for n in (2, 3, 4, 5, 6, 8)
    ]
