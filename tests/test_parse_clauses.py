"""Golden parses of the notice forms of issue 8, and the clause-coverage property.

Every form is parsed in both punctuation forms: as printed (full-width ，；：（）。) and
as a web copy (ASCII , ; : ( ) . and [2023]).  The property at the end checks, over
the bundled notices, every test notice of the parse tests and mutated notices, that
every character of the decision body belongs to a clause that became actions: a
notice the parser accepts has lost nothing.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import NOTICES, ascii_copy
from registry.errors import NoticeError
from registry.parse import (
    MAX_CLAUSE_CHARACTERS, MAX_CLAUSES, MAX_NAME_CHARACTERS, ParsedAction, _full_stops, parse_notice,
)
from registry.text import MAX_NOTICE_BYTES, check_size, normalize, squeeze
from test_parse_forms import GOLDEN, KNOWN, SCENARIO, notice

WATER = "市水利局"
COMMERCE = "市商务局"


FORMS = {"full-width": lambda text: text, "ascii": lambda text: ascii_copy(text, full_stop=True)}


@pytest.fixture(params=list(FORMS))
def form(request):
    return FORMS[request.param]


def actions(form, body: str, known=KNOWN) -> list[ParsedAction]:
    return parse_notice(form(notice(body)), known_orgs=known).actions


def refusal(form, body: str, known=KNOWN) -> str:
    with pytest.raises(NoticeError) as error:
        parse_notice(form(notice(body)), known_orgs=known)
    return str(error.value)


def appoint(name, org, title, clause, **flags) -> ParsedAction:
    return ParsedAction("appoint", name, org, title, clause, **flags)


def remove(name, org, title, clause, end_reason="removed", **flags) -> ParsedAction:
    return ParsedAction("remove", name, org, title, clause, end_reason=end_reason, **flags)


# -- 1. clause boundaries ----------------------------------------------------------------

BOUNDARIES = [
    ("a full stop between two clauses", "格桑任市水利局副局长。免去扎西的市水利局局长职务；次仁任市商务局局长。", [
        appoint("格桑", WATER, "副局长", "格桑任市水利局副局长"),
        remove("扎西", WATER, "局长", "免去扎西的市水利局局长职务"),
        appoint("次仁", COMMERCE, "局长", "次仁任市商务局局长"),
    ]),
    ("a one-clause notice ending in a full stop", "格桑任市水利局副局长。", [
        appoint("格桑", WATER, "副局长", "格桑任市水利局副局长"),
    ]),
    ("a last clause ending in a full stop", "格桑任市水利局副局长；免去扎西的市水利局局长职务。", [
        appoint("格桑", WATER, "副局长", "格桑任市水利局副局长"),
        remove("扎西", WATER, "局长", "免去扎西的市水利局局长职务"),
    ]),
    ("a line end after 职务", "免去扎西的市水利局局长职务\n格桑任市水利局局长", [
        remove("扎西", WATER, "局长", "免去扎西的市水利局局长职务"),
        appoint("格桑", WATER, "局长", "格桑任市水利局局长"),
    ]),
    ("a line end after a closing qualifier", "格桑任市水利局副局长（试用期一年）\n\n免去扎西的市水利局局长职务", [
        appoint("格桑", WATER, "副局长", "格桑任市水利局副局长（试用期一年）", probation_months=12),
        remove("扎西", WATER, "局长", "免去扎西的市水利局局长职务"),
    ]),
    ("a line end after 职务 inside a resignation", "接受扎西辞去市水利局局长职务\n的请求。", [
        remove("扎西", WATER, "局长", "接受扎西辞去市水利局局长职务的请求", end_reason="resigned"),
    ]),
    ("a line end after a qualifier followed by 免去其",
     "罗布任市水利局副局长（列扎西之后）\n，免去其市商务局副局长职务。", [
         appoint("罗布", WATER, "副局长", "罗布任市水利局副局长（列扎西之后），免去其市商务局副局长职务",
                 ranked_after="扎西"),
         remove("罗布", COMMERCE, "副局长", "罗布任市水利局副局长（列扎西之后），免去其市商务局副局长职务",
                same_person_as=0),
     ]),
    ("a line end after （女） is not a boundary", "格桑（女）\n任市水利局副局长。", [
        appoint("格桑", WATER, "副局长", "格桑（女）任市水利局副局长", gender="女"),
    ]),
    ("item numbers 1. between full stops", "1.格桑任市水利局副局长。2.扎西任市商务局局长。", [
        appoint("格桑", WATER, "副局长", "1.格桑任市水利局副局长"),
        appoint("扎西", COMMERCE, "局长", "2.扎西任市商务局局长"),
    ]),
]


@pytest.mark.parametrize("body,expected", [b[1:] for b in BOUNDARIES], ids=[b[0] for b in BOUNDARIES])
def test_clause_boundaries(form, body, expected):
    assert actions(form, body) == expected


def test_the_issue_example_keeps_both_clauses_in_ascii():
    """X任市A局副局长. then 免去Y的市A局局长职务; : two actions, no organization named after a clause."""
    text = notice("格桑任市水利局副局长.免去扎西的市水利局局长职务;次仁任市商务局局长.")
    assert [(a.kind, a.name, a.org, a.title) for a in parse_notice(text, known_orgs=KNOWN).actions] == [
        ("appoint", "格桑", WATER, "副局长"), ("remove", "扎西", WATER, "局长"), ("appoint", "次仁", COMMERCE, "局长"),
    ]


@pytest.mark.parametrize("body,expected", [
    ("试用期至2024.2.6。", "试用期至2024.2.6。"),
    ("格桑任市水利局副局长.扎西", "格桑任市水利局副局长。扎西"),
    ("1.格桑任局长.2.扎西", "1.格桑任局长。2.扎西"),
    ("；12.格桑", "；12.格桑"),
    ("第3.格桑", "第3。格桑"),
])
def test_a_full_stop_inside_a_number_or_an_item_number_is_not_a_boundary(body, expected):
    assert _full_stops(body) == expected


# -- 2. organization names are checked ------------------------------------------------------

ORG_REFUSALS = [
    ("a clause run on without a boundary", "格桑任市水利局副局长\n免去扎西的市水利局局长职务。",
     "'市水利局副局长免去扎西的市水利局' cannot be an organization (the verb 免去) in the clause "
     "'格桑任市水利局副局长免去扎西的市水利局局长职务'; a clause boundary or a verb was not read"),
    ("a title followed by more text", "格桑任市水利局副局长办公室主任。",
     "'市水利局副局长办公室' cannot be an organization (the title 副局长 followed by more) in the clause "
     "'格桑任市水利局副局长办公室主任'; a clause boundary or a verb was not read"),
    ("clause punctuation", "格桑任市水利：局局长。",
     "'市水利：局' cannot be an organization (the punctuation ：) in the clause '格桑任市水利：局局长'; "
     "a clause boundary or a verb was not read"),
    ("the verb 为", "任命格桑为市水利局为民服务中心主任。",
     "'市水利局为民服务中心' cannot be an organization (the verb 为) in the clause "
     "'任命格桑为市水利局为民服务中心主任'; a clause boundary or a verb was not read"),
]


@pytest.mark.parametrize("body,message", [r[1:] for r in ORG_REFUSALS], ids=[r[0] for r in ORG_REFUSALS])
def test_a_new_organization_name_that_holds_a_clause_is_refused(form, body, message):
    assert refusal(form, body) == message


def test_an_organization_on_record_is_not_checked(form):
    known = KNOWN + ("市水利局为民服务中心",)
    assert actions(form, "任命格桑为市水利局为民服务中心主任。", known=known) == [
        appoint("格桑", "市水利局为民服务中心", "主任", "任命格桑为市水利局为民服务中心主任"),
    ]


def test_organization_words_that_hold_a_title_are_names():
    """委员会 holds 委员, 主席团 holds 主席: a new 委员会 is an organization, not a misread clause."""
    parsed = parse_notice(notice("格桑任市残疾人联合会第二届主席团执行理事会理事长；扎西任市新能源发展委员会主任。"))
    assert [(a.org, a.title) for a in parsed.actions] == [
        ("市残疾人联合会第二届主席团执行理事会", "理事长"), ("市新能源发展委员会", "主任"),
    ]


# -- 3. A兼B titles ----------------------------------------------------------------------------

CONCURRENT = [
    ("任命X为A兼B", "任命格桑为市政府副秘书长兼市政府办公室主任。", [
        appoint("格桑", "市政府", "副秘书长", "任命格桑为市政府副秘书长兼市政府办公室主任"),
        appoint("格桑", "市政府办公室", "主任", "任命格桑为市政府副秘书长兼市政府办公室主任",
                concurrent=True, same_person_as=0),
    ]),
    ("X任A局局长兼B局局长", "格桑任市水利局局长兼市商务局局长。", [
        appoint("格桑", WATER, "局长", "格桑任市水利局局长兼市商务局局长"),
        appoint("格桑", COMMERCE, "局长", "格桑任市水利局局长兼市商务局局长", concurrent=True, same_person_as=0),
    ]),
    ("the organization left out of the second part", "格桑任市水利局副局长兼总工程师。", [
        appoint("格桑", WATER, "副局长", "格桑任市水利局副局长兼总工程师"),
        appoint("格桑", WATER, "总工程师", "格桑任市水利局副局长兼总工程师", concurrent=True, same_person_as=0),
    ]),
    ("removal of A兼B", "免去格桑的市政府副秘书长兼市政府办公室主任职务。", [
        remove("格桑", "市政府", "副秘书长", "免去格桑的市政府副秘书长兼市政府办公室主任职务"),
        remove("格桑", "市政府办公室", "主任", "免去格桑的市政府副秘书长兼市政府办公室主任职务",
               concurrent=True, same_person_as=0),
    ]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in CONCURRENT], ids=[c[0] for c in CONCURRENT])
def test_a_jian_b_titles_are_two_posts(form, body, expected):
    assert actions(form, body) == expected


# -- 6. forms: secondment ended, a reason before the verb, 免去X同志的, party committees -----------

FORMS_6 = [
    ("（挂职期满）", "免去格桑的市水利局副局长职务（挂职期满）。", [
        remove("格桑", WATER, "副局长", "免去格桑的市水利局副局长职务（挂职期满）", end_reason="secondment_ended"),
    ]),
    ("X挂职期满，免去其…", "格桑挂职期满，免去其市水利局副局长职务。", [
        remove("格桑", WATER, "副局长", "格桑挂职期满，免去其市水利局副局长职务", end_reason="secondment_ended"),
    ]),
    ("X同志挂职期满，免去其…", "格桑同志挂职期满，免去其市水利局副局长、市商务局副局长职务。", [
        remove("格桑", WATER, "副局长", "格桑同志挂职期满，免去其市水利局副局长、市商务局副局长职务",
               end_reason="secondment_ended"),
        remove("格桑", COMMERCE, "副局长", "格桑同志挂职期满，免去其市水利局副局长、市商务局副局长职务",
               end_reason="secondment_ended", same_person_as=0),
    ]),
    ("因到龄退休，", "因到龄退休，免去格桑的市水利局副局长职务。", [
        remove("格桑", WATER, "副局长", "因到龄退休，免去格桑的市水利局副局长职务", end_reason="retired"),
    ]),
    ("因工作需要，", "因工作需要，免去格桑的市水利局副局长职务。", [
        remove("格桑", WATER, "副局长", "因工作需要，免去格桑的市水利局副局长职务"),
    ]),
    ("因工作调动， before an appointment", "因工作调动，格桑任市水利局局长。", [
        appoint("格桑", WATER, "局长", "因工作调动，格桑任市水利局局长"),
    ]),
    ("免去X同志的", "免去格桑同志的市水利局副局长职务。", [
        remove("格桑", WATER, "副局长", "免去格桑同志的市水利局副局长职务"),
    ]),
    ("党组副书记", "格桑任市水利局党组副书记。", [
        appoint("格桑", WATER, "党组副书记", "格桑任市水利局党组副书记"),
    ]),
]


@pytest.mark.parametrize("body,expected", [f[1:] for f in FORMS_6], ids=[f[0] for f in FORMS_6])
def test_forms(form, body, expected):
    assert actions(form, body) == expected


PARTY = """中共林芝市委员会
关于扎西等同志任免职的通知

林委发〔2023〕5号

各县（区）委，市直各部门：

经市委常委会研究，决定：

扎西任市水利局党组书记；
格桑任市水利局党组副书记；
免去次仁的市水利局党组成员职务。

中共林芝市委员会

2023年3月1日
"""


def test_a_party_committee_notice_records_its_issuer(form):
    parsed = parse_notice(form(PARTY))
    assert (parsed.number, parsed.series, parsed.issuer, parsed.signer, parsed.basis, parsed.date) == (
        "林委发〔2023〕5号", "林委发", "中共林芝市委员会", "中共林芝市委员会", "经市委常委会研究，决定", date(2023, 3, 1))
    assert [(a.kind, a.name, a.org, a.title) for a in parsed.actions] == [
        ("appoint", "扎西", WATER, "党组书记"), ("appoint", "格桑", WATER, "党组副书记"),
        ("remove", "次仁", WATER, "党组成员"),
    ]


# -- refusals say why --------------------------------------------------------------------------

LONG_NAME = "扎西格桑次仁多吉罗布顿珠平措"
REFUSALS_8 = [
    ("an unknown reason before the verb", "因身体原因，免去格桑的市水利局副局长职务。",
     "cannot read the reason '因身体原因' in the clause '因身体原因，免去格桑的市水利局副局长职务': "
     "expected one of 因到龄退休、因退休、因挂职期满、因工作需要、因工作调动"),
    ("a retirement reason before an appointment", "因到龄退休，格桑任市水利局局长。",
     "a removal reason stands without a removal in the clause '因到龄退休，格桑任市水利局局长'"),
    ("挂职期满 with nothing removed", "扎西任市水利局局长；格桑挂职期满。",
     "a removal reason stands without a removal in the clause '格桑挂职期满'"),
    ("a name longer than names are", f"{LONG_NAME}任市水利局局长。",
     f"the name '{LONG_NAME}' in the clause '{LONG_NAME}任市水利局局长' is 14 characters long; "
     f"a name has at most {MAX_NAME_CHARACTERS}"),
    ("a long name in a removal", f"免去{LONG_NAME}的市水利局局长职务。",
     f"the name '{LONG_NAME}' in the clause '免去{LONG_NAME}的市水利局局长职务' is 14 characters long; "
     f"a name has at most {MAX_NAME_CHARACTERS}"),
    ("expected a title", "格桑任市水利局副局长，扎西任市水利局。",
     "cannot read the clause '格桑任市水利局副局长，扎西任市水利局': expected a title (局长, 副主任 …) at the end of "
     "'市水利局'"),
    ("expected 为", "任命格桑市水利局局长。",
     "cannot read the clause '任命格桑市水利局局长': expected 为 or 代理 after the names"),
    ("the name run into an organization not on record", "免去格桑某某单位局长职务。",
     "cannot tell the name from the organization in the clause '免去格桑某某单位局长职务'"),
    ("expected a post", "免去格桑的市水利局局长职务，扎西任。",
     "cannot read the clause '免去格桑的市水利局局长职务，扎西任': expected a post after the verb"),
]


@pytest.mark.parametrize("body,message", [r[1:] for r in REFUSALS_8], ids=[r[0] for r in REFUSALS_8])
def test_refusals_say_what_was_expected(form, body, message):
    assert refusal(form, body) == message


def test_oversized_texts_are_refused_with_their_size():
    with pytest.raises(NoticeError) as error:
        check_size(b"x" * (MAX_NOTICE_BYTES + 1))
    assert str(error.value) == (
        "the text is 2,000,001 bytes, more than any notice could be (at most 2,000,000 bytes); it was not read")
    check_size(b"x" * MAX_NOTICE_BYTES)
    with pytest.raises(NoticeError) as error:
        parse_notice("任" * (MAX_NOTICE_BYTES // 3 + 1))
    assert str(error.value) == (
        "the text is 2,000,001 bytes, more than any notice could be (at most 2,000,000 bytes); it was not read")


def test_a_clause_longer_than_any_is_refused_quoting_its_start(form):
    clause = "格桑任市水利局副局长" * (MAX_CLAUSE_CHARACTERS // 10 + 1)
    message = refusal(form, clause + "。")
    assert message == (
        f"the clause starting '{clause[:60]}' is {len(clause):,} characters long, more than any "
        f"clause (at most {MAX_CLAUSE_CHARACTERS:,}); a clause boundary (。；) may be missing")


def test_more_clauses_than_any_notice_is_refused(form):
    body = "格桑任市水利局副局长；" * (MAX_CLAUSES + 1)
    assert refusal(form, body) == (
        f"林政发〔2023〕20号 has {MAX_CLAUSES + 1:,} clauses, more than any notice (at most {MAX_CLAUSES:,}); "
        "it is not read")


# -- the clause-coverage property ------------------------------------------------------------

_SEPARATORS = re.compile(r"[；。，、.\s]")


def assert_covered(parsed) -> None:
    """Every character of the decision body is in a clause, and every clause became actions
    (a section header alone governs the clauses after it)."""
    assert _SEPARATORS.sub("", "".join(c.text for c in parsed.clauses)) == _SEPARATORS.sub("", parsed.body)
    assert sum(c.actions for c in parsed.clauses) == len(parsed.actions)
    at = 0
    for clause in parsed.clauses:
        if clause.actions == 0:
            assert re.fullmatch(r"(?:[一二三四五六七八九十\d]+[、.．]|（[一二三四五六七八九十\d]+）)*(任命|任职|免去|免职)：",
                                clause.text), clause.text
        for action in parsed.actions[at: at + clause.actions]:
            assert action.clause == clause.text
        at += clause.actions


def _bundled_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for _, path in sorted(NOTICES.items())]


@pytest.mark.parametrize("number", sorted(NOTICES))
def test_every_character_of_a_bundled_notice_is_read(form, number):
    text = form(NOTICES[number].read_text(encoding="utf-8"))
    parsed = parse_notice(text)
    assert_covered(parsed)
    # The body is all of the decision: from after 决定： to the signing body.
    squeezed = squeeze(normalize(text))
    after = squeezed.split("决定：", 1)[1]
    assert _SEPARATORS.sub("", parsed.body) == _SEPARATORS.sub("", after[: after.rindex(parsed.signer)])


TEST_BODIES = (
    [g[1] for g in GOLDEN] + [b[1] for b in BOUNDARIES] + [c[1] for c in CONCURRENT] + [f[1] for f in FORMS_6]
)


@pytest.mark.parametrize("body", TEST_BODIES)
def test_every_character_of_a_test_notice_is_read(form, body):
    parsed = parse_notice(form(notice(body)), known_orgs=KNOWN)
    assert_covered(parsed)
    squeezed = squeeze(normalize(form(notice(body))))
    after = squeezed.split("决定：", 1)[1]
    assert _SEPARATORS.sub("", parsed.body) == _SEPARATORS.sub("", after[: after.rindex("林芝市人民政府")])


def test_the_scenario_and_party_notices_are_read_whole(form):
    for text in (SCENARIO, PARTY):
        assert_covered(parse_notice(form(text)))


PUNCTUATION = {"，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "。": "."}
NOISE = ["2023 年·第一期 市政府文件", "— 29 —", "第 2 页", "   ", "\n"]
SAMPLES = _bundled_texts() + [notice(body) for body in TEST_BODIES[:40]] + [PARTY]


@st.composite
def mutated_notices(draw) -> str:
    """A bundled or test notice, mutated one to three times: truncated, spliced, characters
    dropped or doubled, punctuation width or full stops swapped, lines broken or noise added."""
    text = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "splice", "drop", "swap", "break", "noise", "duplicate"]))
        if kind == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif kind == "splice":
            other = draw(st.sampled_from(SAMPLES))
            text = text[: draw(st.integers(0, len(text)))] + other[draw(st.integers(0, len(other))):]
        elif kind == "drop" and text:
            at = draw(st.integers(0, len(text) - 1))
            text = text[:at] + text[at + draw(st.integers(1, 4)):]
        elif kind == "swap":
            table = PUNCTUATION if draw(st.booleans()) else {v: k for k, v in PUNCTUATION.items()}
            every = draw(st.integers(1, 3))
            text = "".join(table.get(ch, ch) if i % every == 0 else ch for i, ch in enumerate(text))
        elif kind == "break" and text:
            at = draw(st.integers(0, len(text)))
            text = text[:at] + "\n" + text[at:]
        elif kind == "noise":
            lines = text.split("\n")
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(NOISE)))
            text = "\n".join(lines)
        elif text:
            at = draw(st.integers(0, len(text) - 1))
            text = text[:at] + text[at: at + draw(st.integers(1, 40))] + text[at:]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_notices())
def test_a_mutated_notice_is_read_whole_or_refused(text):
    try:
        parsed = parse_notice(text, known_orgs=KNOWN)
    except NoticeError:
        return
    assert_covered(parsed)
