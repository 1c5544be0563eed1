"""Golden parses of the phrasings of issue 3 §1 and the text forms of §2.

Every construction is parsed in both punctuation forms: as printed (full-width
，；：（）) and as a web copy (ASCII , ; : ( ) and [2023]).  The expected
actions were written from the notice text by hand; where a phrasing has a
Linzhi equivalent (the form of the bundled notices), a second test checks that
both give the same actions, clause text aside.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from conftest import ascii_copy

from registry.errors import NoticeError
from registry.parse import ParsedAction, parse_notice
from registry.text import content_hash, decode, normalize

WATER = "市水利局"
ECOLOGY = "市生态环境局"
HEALTH = "市卫生健康委员会"
INSURANCE = "市医疗保障局"
COMMERCE = "市商务局"

# Names and aliases on record, as record.read_notice passes them (organizations + aliases).
KNOWN = (WATER, ECOLOGY, HEALTH, "市卫生健康委", "卫生健康委", "市卫健委", "卫健委", INSURANCE, "市医保局",
         "医保局", COMMERCE)


def notice(body: str, number: str = "林政发〔2023〕20 号") -> str:
    """A notice of the Linzhi form (林政发〔2023〕3号 and its siblings) around ``body``."""
    return (
        " 林芝市人民政府\n关于格桑等同志任免职的通知\n\n"
        f"{number}\n\n"
        "各县（区）人民政府，市各委、办、局：\n\n"
        "经中共林芝市人民政府党组 2023年第 3次会议研究，决定：\n\n"
        f"{body}\n\n"
        "林芝市人民政府\n\n"
        "2023年 3月 20日\n"
    )


FORMS = {"full-width": lambda text: text, "ascii": ascii_copy}


@pytest.fixture(params=list(FORMS))
def form(request):
    return FORMS[request.param]


def parse(form, body: str, known=KNOWN):
    return parse_notice(form(notice(body)), known_orgs=known)


def actions(form, body: str, known=KNOWN) -> list[ParsedAction]:
    return parse(form, body, known).actions


def appoint(name, org, title, clause, **flags) -> ParsedAction:
    return ParsedAction("appoint", name, org, title, clause, **flags)


def remove(name, org, title, clause, end_reason="removed", **flags) -> ParsedAction:
    return ParsedAction("remove", name, org, title, clause, end_reason=end_reason, **flags)


def refusal(form, body: str, known=KNOWN) -> str:
    with pytest.raises(NoticeError) as error:
        parse(form, body, known)
    return str(error.value)


# -- golden parses: (id, body, expected actions) ------------------------------------------

C1 = "任命格桑为市医疗保障局副局长（试用期一年）"
C2 = "任命格桑为市医疗保障局副局长，扎西为市水利局局长"
C5 = "免去扎西的市水利局局长、党组书记职务"
C6 = "免去胡秀兰、罗布顿珠的市卫生健康委员会副主任职务"
C7 = "免去扎西市水利局副局长、市生态环境局局长的职务"
C8 = "免去扎西市水利局副局长职务"
C9 = "免去罗布顿珠卫健委副主任职务"

GOLDEN = [
    ("任命X为Y", f"{C1}；", [appoint("格桑", INSURANCE, "副局长", C1, probation_months=12)]),
    ("任命 governs several items", f"{C2}。", [
        appoint("格桑", INSURANCE, "副局长", C2),
        appoint("扎西", WATER, "局长", C2),
    ]),
    ("任命 governs the next clauses", "任命格桑为市医疗保障局副局长；\n扎西为市水利局局长。", [
        appoint("格桑", INSURANCE, "副局长", "任命格桑为市医疗保障局副局长"),
        appoint("扎西", WATER, "局长", "扎西为市水利局局长"),
    ]),
    ("section headers",
     "任命：\n格桑为市医疗保障局副局长；\n扎西为市水利局局长。\n免去：\n张利的市商务局副局长职务；\n"
     "赵线的市卫生健康委员会副主任职务。", [
         appoint("格桑", INSURANCE, "副局长", "任命：格桑为市医疗保障局副局长"),
         appoint("扎西", WATER, "局长", "扎西为市水利局局长"),
         remove("张利", COMMERCE, "副局长", "免去：张利的市商务局副局长职务"),
         remove("赵线", HEALTH, "副主任", "赵线的市卫生健康委员会副主任职务"),
     ]),
    ("section headers with numbered items",
     "任命：一、格桑为市医疗保障局副局长；二、扎西为市水利局局长。免去：一、张利的市商务局副局长职务。", [
         appoint("格桑", INSURANCE, "副局长", "一、格桑为市医疗保障局副局长"),
         appoint("扎西", WATER, "局长", "二、扎西为市水利局局长"),
         remove("张利", COMMERCE, "副局长", "一、张利的市商务局副局长职务"),
     ]),
    ("免去X的A、B职务: B keeps A's organization and names A's person", f"{C5}。", [
        remove("扎西", WATER, "局长", C5),
        remove("扎西", WATER, "党组书记", C5, same_person_as=0),
    ]),
    ("免去X、Y的Z职务", f"{C6}。", [
        remove("胡秀兰", HEALTH, "副主任", C6),
        remove("罗布顿珠", HEALTH, "副主任", C6),
    ]),
    ("免去X A、B的职务", f"{C7}。", [
        remove("扎西", WATER, "副局长", C7),
        remove("扎西", ECOLOGY, "局长", C7, same_person_as=0),
    ]),
    ("免去X A职务", f"{C8}。", [remove("扎西", WATER, "副局长", C8)]),
    ("免去X A职务 with a short form", f"{C9}。", [remove("罗布顿珠", HEALTH, "副主任", C9)]),
    ("X同志代理Y", "次仁同志代理市生态环境局局长；", [
        appoint("次仁", ECOLOGY, "局长", "次仁同志代理市生态环境局局长", acting=True),
    ]),
    ("X代理Y职务", "次仁代理市生态环境局局长职务。", [
        appoint("次仁", ECOLOGY, "局长", "次仁代理市生态环境局局长职务", acting=True),
    ]),
    ("resignation", "接受徐继军辞去市生态环境局副局长职务的请求。", [
        remove("徐继军", ECOLOGY, "副局长", "接受徐继军辞去市生态环境局副局长职务的请求", end_reason="resigned"),
    ]),
    ("secondment", "格桑任市医疗保障局副局长（挂职）。", [
        appoint("格桑", INSURANCE, "副局长", "格桑任市医疗保障局副局长（挂职）", secondment="挂职"),
    ]),
    ("secondment with a term", "格桑任市医疗保障局副局长（挂职，时间一年）。", [
        appoint("格桑", INSURANCE, "副局长", "格桑任市医疗保障局副局长（挂职，时间一年）", secondment="挂职，时间一年"),
    ]),
    ("probation terminated", "免去格桑的市医疗保障局副局长职务（终止试用期）。", [
        remove("格桑", INSURANCE, "副局长", "免去格桑的市医疗保障局副局长职务（终止试用期）",
               end_reason="probation_terminated"),
    ]),
    ("retired", "免去格桑的市医疗保障局副局长职务（退休）。", [
        remove("格桑", INSURANCE, "副局长", "免去格桑的市医疗保障局副局长职务（退休）", end_reason="retired"),
    ]),
    ("reassigned", "免去格桑的市医疗保障局副局长职务（另有任用）。", [
        remove("格桑", INSURANCE, "副局长", "免去格桑的市医疗保障局副局长职务（另有任用）", end_reason="reassigned"),
    ]),
    ("reassigned, after a comma", "免去格桑的市医疗保障局副局长职务，另有任用。", [
        remove("格桑", INSURANCE, "副局长", "免去格桑的市医疗保障局副局长职务，另有任用", end_reason="reassigned"),
    ]),
    ("several qualifiers split by ，", "格桑任市医疗保障局副局长（列龙小华之后，试用期一年）。", [
        appoint("格桑", INSURANCE, "副局长", "格桑任市医疗保障局副局长（列龙小华之后，试用期一年）",
                ranked_after="龙小华", probation_months=12),
    ]),
    ("several qualifiers split by ；", "格桑任市医疗保障局副局长（试用期两年；挂职）。", [
        appoint("格桑", INSURANCE, "副局长", "格桑任市医疗保障局副局长（试用期两年；挂职）",
                probation_months=24, secondment="挂职"),
    ]),
    ("gender after the name", "格桑（女）任市医疗保障局副局长（试用期一年）。", [
        appoint("格桑", INSURANCE, "副局长", "格桑（女）任市医疗保障局副局长（试用期一年）",
                probation_months=12, gender="女"),
    ]),
    ("gender in 任命", "任命格桑（女）为市医疗保障局副局长。", [
        appoint("格桑", INSURANCE, "副局长", "任命格桑（女）为市医疗保障局副局长", gender="女"),
    ]),
    ("gender of one of several names", "免去胡秀兰（女）、罗布顿珠的市卫生健康委员会副主任职务。", [
        remove("胡秀兰", HEALTH, "副主任", "免去胡秀兰（女）、罗布顿珠的市卫生健康委员会副主任职务", gender="女"),
        remove("罗布顿珠", HEALTH, "副主任", "免去胡秀兰（女）、罗布顿珠的市卫生健康委员会副主任职务"),
    ]),
    ("gender with a run-together removal", "免去胡秀兰（女）市卫生健康委员会副主任职务。", [
        remove("胡秀兰", HEALTH, "副主任", "免去胡秀兰（女）市卫生健康委员会副主任职务", gender="女"),
    ]),
    ("numbered items in one paragraph",
     "一、格桑任市医疗保障局副局长；二、免去张利的市商务局副局长职务；三、次仁同志代理市生态环境局局长。", [
         appoint("格桑", INSURANCE, "副局长", "一、格桑任市医疗保障局副局长"),
         remove("张利", COMMERCE, "副局长", "二、免去张利的市商务局副局长职务"),
         appoint("次仁", ECOLOGY, "局长", "三、次仁同志代理市生态环境局局长", acting=True),
     ]),
    ("numbered items after a comma", "一、格桑任市医疗保障局副局长，二、免去张利的市商务局副局长职务。", [
        appoint("格桑", INSURANCE, "副局长", "一、格桑任市医疗保障局副局长"),
        remove("张利", COMMERCE, "副局长", "二、免去张利的市商务局副局长职务"),
    ]),
    ("numbered items after a space", "一、格桑任市医疗保障局副局长 二、免去张利的市商务局副局长职务", [
        appoint("格桑", INSURANCE, "副局长", "一、格桑任市医疗保障局副局长"),
        remove("张利", COMMERCE, "副局长", "二、免去张利的市商务局副局长职务"),
    ]),
    ("numbered items （一）", "（一）格桑任市医疗保障局副局长；（二）免去张利的市商务局副局长职务。", [
        appoint("格桑", INSURANCE, "副局长", "（一）格桑任市医疗保障局副局长"),
        remove("张利", COMMERCE, "副局长", "（二）免去张利的市商务局副局长职务"),
    ]),
    ("several names in one appointment keep their order", "任命格桑、扎西为市水利局副局长（列王程之后）。", [
        appoint("格桑", WATER, "副局长", "任命格桑、扎西为市水利局副局长（列王程之后）", ranked_after="王程"),
        appoint("扎西", WATER, "副局长", "任命格桑、扎西为市水利局副局长（列王程之后）", ranked_after="格桑"),
    ]),
    ("several posts in one appointment", "任命扎西为市水利局局长、党组书记。", [
        appoint("扎西", WATER, "局长", "任命扎西为市水利局局长、党组书记"),
        appoint("扎西", WATER, "党组书记", "任命扎西为市水利局局长、党组书记", same_person_as=0),
    ]),
    ("a name containing the verb 任", "任志强任市水利局局长；免去张任飞的市水利局副局长职务。", [
        appoint("任志强", WATER, "局长", "任志强任市水利局局长"),
        remove("张任飞", WATER, "副局长", "免去张任飞的市水利局副局长职务"),
    ]),
]


@pytest.mark.parametrize("body,expected", [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN])
def test_golden(form, body, expected):
    assert actions(form, body) == expected


@pytest.mark.parametrize("probation,months", [
    ("试用期一年", 12), ("试用期两年", 24), ("试用期一年半", 18), ("试用期 1年", 12), ("试用期1年", 12),
    ("试用期为一年", 12), ("试用期六个月", 6), ("试用期半年", 6),
])
def test_probation(form, probation, months):
    clause = f"格桑任市医疗保障局副局长（{probation.replace(' ', '')}）"
    assert actions(form, f"格桑任市医疗保障局副局长（{probation}）。") == [
        appoint("格桑", INSURANCE, "副局长", clause, probation_months=months),
    ]


# -- each phrasing gives the actions of its Linzhi equivalent ------------------------------

EQUIVALENT = [
    ("任命格桑为市医疗保障局副局长（试用期一年）。", "格桑任市医疗保障局副局长（试用期 1年）。"),
    ("任命格桑为市医疗保障局副局长，扎西为市水利局局长。", "格桑任市医疗保障局副局长；扎西任市水利局局长。"),
    ("任命：格桑为市医疗保障局副局长；扎西为市水利局局长。免去：张利的市商务局副局长职务。",
     "格桑任市医疗保障局副局长；扎西任市水利局局长；免去张利的市商务局副局长职务。"),
    ("免去扎西的市水利局局长、党组书记职务。", "免去扎西的市水利局局长职务；免去扎西的市水利局党组书记职务。"),
    ("免去胡秀兰、罗布顿珠的市卫生健康委员会副主任职务。",
     "免去胡秀兰的市卫生健康委员会副主任职务；免去罗布顿珠的市卫生健康委员会副主任职务。"),
    ("免去扎西市水利局副局长、市生态环境局局长的职务。",
     "免去扎西的市水利局副局长职务；免去扎西的市生态环境局局长职务。"),
    ("免去扎西市水利局副局长职务。", "免去扎西的市水利局副局长职务。"),
    ("免去罗布顿珠卫健委副主任职务。", "免去罗布顿珠的市卫生健康委员会副主任职务。"),
    ("格桑（女）任市医疗保障局副局长。", "格桑任市医疗保障局副局长。"),
    ("一、格桑任市医疗保障局副局长，二、免去张利的市商务局副局长职务。",
     "格桑任市医疗保障局副局长；免去张利的市商务局副局长职务。"),
]


def _without_clause(parsed: list[ParsedAction]) -> list[ParsedAction]:
    """The actions without their clause text, the gender (the Linzhi form never gives it) and the
    link of a second post to the first one of the same name (separate clauses have none)."""
    return [replace(a, clause="", gender=None, same_person_as=None) for a in parsed]


@pytest.mark.parametrize("phrasing,linzhi", EQUIVALENT)
def test_same_actions_as_the_linzhi_form(form, phrasing, linzhi):
    assert _without_clause(actions(form, phrasing)) == _without_clause(actions(FORMS["full-width"], linzhi))


def test_acting_and_resignation_differ_from_the_linzhi_form_only_in_their_flag(form):
    assert _without_clause(actions(form, "次仁同志代理市生态环境局局长。")) == [
        replace(a, acting=True) for a in _without_clause(actions(form, "次仁任市生态环境局局长。"))
    ]
    assert _without_clause(actions(form, "接受徐继军辞去市生态环境局副局长职务的请求。")) == [
        replace(a, end_reason="resigned")
        for a in _without_clause(actions(form, "免去徐继军的市生态环境局副局长职务。"))
    ]


def test_known_organizations_decide_where_the_name_ends(form):
    """巴宜区人民政府 has none of the usual prefixes: only the record tells 扎西 from the organization."""
    body = "免去扎西巴宜区人民政府副区长职务。"
    assert actions(form, body, known=KNOWN + ("巴宜区人民政府",)) == [
        remove("扎西", "巴宜区人民政府", "副区长", "免去扎西巴宜区人民政府副区长职务"),
    ]
    assert refusal(form, body) == (
        "cannot tell the name from the organization in the clause '免去扎西巴宜区人民政府副区长职务'"
    )


def test_a_four_character_name_runs_into_a_known_organization(form):
    assert actions(form, "免去索朗平措市商务局副局长职务。") == [
        remove("索朗平措", COMMERCE, "副局长", "免去索朗平措市商务局副局长职务"),
    ]


# -- the notice around the clauses ---------------------------------------------------------

SCENARIO_BODY = (
    "任命格桑为市医疗保障局副局长（试用期一年）；\n\n次仁同志代理市生态环境局局长；\n\n"
    "免去胡秀兰、罗布顿珠的市卫生健康委员会副主任职务；\n\n接受徐继军辞去市生态环境局副局长职务的请求。"
)
SCENARIO = notice(SCENARIO_BODY)
SCENARIO_ACTIONS = [
    appoint("格桑", INSURANCE, "副局长", "任命格桑为市医疗保障局副局长（试用期一年）", probation_months=12),
    appoint("次仁", ECOLOGY, "局长", "次仁同志代理市生态环境局局长", acting=True),
    remove("胡秀兰", HEALTH, "副主任", "免去胡秀兰、罗布顿珠的市卫生健康委员会副主任职务"),
    remove("罗布顿珠", HEALTH, "副主任", "免去胡秀兰、罗布顿珠的市卫生健康委员会副主任职务"),
    remove("徐继军", ECOLOGY, "副局长", "接受徐继军辞去市生态环境局副局长职务的请求", end_reason="resigned"),
]


def test_scenario_notice(form):
    parsed = parse_notice(form(SCENARIO))
    assert (parsed.number, parsed.series, parsed.year, parsed.seq, parsed.date) == (
        "林政发〔2023〕20号", "林政发", 2023, 20, date(2023, 3, 20))
    assert (parsed.issuer, parsed.title, parsed.addressees, parsed.basis, parsed.signer) == (
        "林芝市人民政府", "关于格桑等同志任免职的通知", "各县（区）人民政府，市各委、办、局",
        "经中共林芝市人民政府党组2023年第3次会议研究，决定", "林芝市人民政府")
    assert parsed.actions == SCENARIO_ACTIONS


@pytest.mark.parametrize("number", ["林政发〔2023〕20号", "林政发[2023]20号", "林政发（2023）20号",
                                    "林政发(2023)20号", "林政发【2023】20号", "林政发〔2023〕20 号"])
def test_number_brackets(form, number):
    text = form(SCENARIO).replace(form("林政发〔2023〕20 号"), number)
    parsed = parse_notice(text)
    assert (parsed.number, parsed.series, parsed.year, parsed.seq) == ("林政发〔2023〕20号", "林政发", 2023, 20)
    assert content_hash(text) == content_hash(SCENARIO)


def _fields(parsed):
    return (parsed.number, parsed.issuer, parsed.title, parsed.addressees, parsed.basis, parsed.signer,
            parsed.date, parsed.actions)


@pytest.mark.parametrize("joiner", ["", " ", "\u3000"])
def test_a_whole_notice_on_one_line(form, joiner):
    one_line = joiner.join(line.strip() for line in SCENARIO.splitlines() if line.strip())
    assert "\n" not in one_line
    assert _fields(parse_notice(form(one_line))) == _fields(parse_notice(SCENARIO))
    assert content_hash(form(one_line)) == content_hash(SCENARIO)


def test_clauses_broken_across_lines(form):
    """Every clause broken after every seventh character, as a narrow page column does."""
    broken = "\n".join(
        "\n".join(line[i:i + 7] for i in range(0, len(line), 7)) for line in SCENARIO_BODY.split("\n")
    )
    text = form(notice(broken))
    assert parse_notice(text).actions == SCENARIO_ACTIONS
    assert content_hash(text) == content_hash(SCENARIO)


PAGE_NOISE = [
    "2023 年·第一期 市政府文件",
    "— 29 —",
    "- 3 -",
    "第 2 页 共 3 页",
    "3/5",
    "30",
    "林芝市人民政府公报",
]


@pytest.mark.parametrize("noise", PAGE_NOISE)
def test_page_noise_between_and_inside_clauses(form, noise):
    body = SCENARIO_BODY.replace("\n\n次仁", f"\n\n{noise}\n\n次仁").replace(
        "市卫生健康委员会副", f"市卫生健康委员会副\n\n{noise}\n\n")
    text = form(notice(body))
    assert parse_notice(text).actions == SCENARIO_ACTIONS
    assert content_hash(text) == content_hash(SCENARIO)


# -- encodings and identity ----------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "gb18030": lambda text: text.encode("gb18030"),
    "gbk": lambda text: text.encode("gbk"),
    "gb18030, CRLF": lambda text: text.replace("\n", "\r\n").encode("gb18030"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_encodings_give_the_same_notice(form, encoding):
    data = ENCODINGS[encoding](form(SCENARIO))
    text = decode(data)
    assert _fields(parse_notice(text)) == _fields(parse_notice(SCENARIO))
    assert content_hash(text) == content_hash(SCENARIO)


def test_a_different_notice_has_a_different_hash():
    assert content_hash(SCENARIO.replace("格桑", "格")) != content_hash(SCENARIO)
    assert content_hash(SCENARIO.replace("试用期一年", "试用期两年")) != content_hash(SCENARIO)


def test_invisible_characters_do_not_change_the_notice():
    text = "\ufeff" + SCENARIO.replace("格桑", "格\u200b桑")
    assert parse_notice(text).actions == SCENARIO_ACTIONS
    assert content_hash(text) == content_hash(SCENARIO)


def test_normalize_turns_ascii_punctuation_full_width():
    assert normalize("免去X(女),Y;Z:") == "免去X（女），Y；Z："


@pytest.mark.parametrize("data,message", [
    (b"", "the file is empty"),
    (b"\xef\xbb\xbf \r\n", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "the file is binary data, not a text notice"),
    (b"\xff\xfe\xfa" * 40, "the file could not be decoded as UTF-8 or GB18030"),
    (SCENARIO[:60].encode("utf-8") + b"\xff" + SCENARIO[60:].encode("utf-8"),
     f"the file is UTF-8 text with invalid bytes (the first at byte {len(SCENARIO[:60].encode())}); "
     "it could not be decoded"),
])
def test_undecodable_input_is_refused_with_a_sentence(data, message):
    with pytest.raises(NoticeError) as error:
        decode(data)
    assert str(error.value) == message


# -- refusals quote the clause -------------------------------------------------------------

REFUSALS = [
    ("unknown qualifier", "格桑任市医疗保障局副局长（保密）。",
     "cannot read the qualifier （保密） in the clause '格桑任市医疗保障局副局长（保密）'"),
    ("unknown qualifier among known ones", "格桑任市医疗保障局副局长（试用期一年，保密）。",
     "cannot read the qualifier （保密） in the clause '格桑任市医疗保障局副局长（试用期一年，保密）'"),
    ("a bare term is not a secondment", "格桑任市医疗保障局副局长（一年）。",
     "cannot read the qualifier （一年） in the clause '格桑任市医疗保障局副局长（一年）'"),
    ("unreadable clause among readable ones",
     "格桑任市医疗保障局副局长；扎西负责市水利局全面工作；免去张利的市商务局副局长职务。",
     "cannot read the clause '扎西负责市水利局全面工作': expected a name and a verb (任, 任命…为, 免去, 兼任, 代理)"),
    ("unreadable part of a clause", "格桑任市医疗保障局副局长，扎西到市水利局工作。",
     "cannot read the clause '格桑任市医疗保障局副局长，扎西到市水利局工作': expected a name and a verb (任, 任命…为, 免去, 兼任, 代理) in '扎西到市水利局工作'"),
    ("ranked after himself", "格桑任市医疗保障局副局长（列格桑之后）。",
     "the clause '格桑任市医疗保障局副局长（列格桑之后）' ranks 格桑 after themselves"),
    ("ranked after himself in 任命", "任命格桑同志为市医疗保障局副局长（列格桑同志之后）。",
     "the clause '任命格桑同志为市医疗保障局副局长（列格桑同志之后）' ranks 格桑 after themselves"),
    ("two removal reasons", "免去格桑的市医疗保障局副局长职务（退休；另有任用）。",
     "the qualifier （另有任用） contradicts another in the clause '免去格桑的市医疗保障局副局长职务（退休；另有任用）'"),
    ("a removal reason on an appointment", "格桑任市医疗保障局副局长（退休）。",
     "a removal reason stands on an appointment in the clause '格桑任市医疗保障局副局长（退休）'"),
    ("probation on a removal", "免去格桑的市医疗保障局副局长职务（试用期一年）。",
     "a probation or ranking stands on a removal in the clause '免去格桑的市医疗保障局副局长职务（试用期一年）'"),
    ("resignation with another reason", "接受徐继军辞去市生态环境局副局长职务的请求（退休）。",
     "two removal reasons in the clause '接受徐继军辞去市生态环境局副局长职务的请求（退休）'"),
    ("a reason without a removal", "格桑任市医疗保障局副局长，另有任用。",
     "a removal reason stands without a removal in the clause '格桑任市医疗保障局副局长，另有任用'"),
    ("several names and several posts", "免去胡秀兰、罗布顿珠的市卫生健康委员会副主任、党组成员职务。",
     "several names and several posts in one removal are ambiguous: "
     "'免去胡秀兰、罗布顿珠的市卫生健康委员会副主任、党组成员职务'"),
    ("a title without an organization", "免去扎西的党组书记职务。",
     "no organization for the title '党组书记' in the clause '免去扎西的党组书记职务'"),
    ("a post without a title", "免去扎西的市水利局职务。",
     "cannot tell the title in '市水利局' in the clause '免去扎西的市水利局职务'"),
    ("unbalanced parentheses", "格桑任市医疗保障局副局长（试用期一年。",
     "unbalanced parentheses in the clause '格桑任市医疗保障局副局长（试用期一年。'"),
    ("免去其 with nobody before it", "免去其市水利局副局长职务。",
     "免去其 has no one named before it in the clause '免去其市水利局副局长职务'"),
    ("a bare item with no verb governing it", "格桑任市医疗保障局副局长；扎西的市水利局局长职务。",
     "cannot read the clause '扎西的市水利局局长职务': expected a name and a verb (任, 任命…为, 免去, 兼任, 代理)"),
]


@pytest.mark.parametrize("body,message", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refusal_quotes_the_clause(form, body, message):
    assert refusal(form, body) == message


def test_another_kind_of_notice_is_not_read_as_personnel(form):
    """责任, 任务 and 主任 hold a 任, but nothing here appoints or removes anyone."""
    body = "《林芝市水土保持目标责任考核管理办法（试行）》已经市政府研究同意，现印发给你们，请各级主任认真完成任务。"
    assert refusal(form, body) == "林政发〔2023〕20号 has no appointment or removal clause; it is not a personnel notice"
