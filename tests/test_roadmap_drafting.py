"""Section drafting, prose validation, template text and document assembly (issue 9, items 5/12).

The LLM is a fake ``SectionWriter`` (or a monkeypatched ``structured_output``); the structure
is the hand-made fixture, so every expected number is known.
"""

from __future__ import annotations

import re
import socket
import time

import pytest

from control_tower.korean import josa
from control_tower.llm.errors import LLMOutputError, LLMUnavailableError
from control_tower.roadmap import section_writer
from control_tower.roadmap.assemble import assemble
from control_tower.roadmap.document import Heading, Note, Paragraph, Table
from control_tower.roadmap.drafting import StructuredSectionWriter, draft_section, draft_sections
from control_tower.roadmap.facts import section_facts
from control_tower.roadmap.templates import TEMPLATE_MARKER, template_text
from control_tower.roadmap.textfmt import fmt_num
from control_tower.roadmap.types import SECTION_KEYS, SECTION_TITLES, Section
from control_tower.roadmap.validate_prose import cited, numbers_in, validate_prose
from control_tower.settings import Settings
from tests.roadmap_fixtures import sample_roadmap_structure

GOOD_BUDGET = {
    "paragraphs": [
        "로드맵 기간의 총 사업비는 80억원이며, 공동 플랫폼을 구축하는 초기에 예산이 집중됩니다.",
        "연도별 예산 한도 30억원 안에서 편성했으며, 2028년에 21억원으로 가장 많습니다.",
    ]
}
GOOD_INITIATIVES = {
    "paragraphs": [
        "도시 데이터 통합 플랫폼 구축을 먼저 추진하여 다른 과제의 기반을 마련합니다 [1].",
        "이후 교통정책과의 AI 교통신호 최적화와 복지정책과의 위기가구 AI 조기 발굴이 "
        "플랫폼의 데이터를 활용합니다 [2][4].",
    ]
}
INVENTED = {"paragraphs": ["총 사업비는 95억원이며 2031년까지 투입하여 효과를 높일 계획입니다."]}


class FakeWriter:
    """Answers from a list (the last one repeats) and records every request."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls: list[tuple[list, dict]] = []

    def write(self, messages, schema):
        self.calls.append((messages, schema))
        reply = self.replies[min(len(self.calls), len(self.replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        return reply


@pytest.fixture
def structure():
    return sample_roadmap_structure()


@pytest.fixture
def llm_settings(tmp_path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, llm_max_retries=0)


# --- drafting ------------------------------------------------------------------------------


def test_good_reply_is_accepted_as_llm_prose(structure, llm_settings):
    writer = FakeWriter(GOOD_BUDGET)
    section = draft_section(llm_settings, structure, "budget", writer=writer)
    assert section.method == "llm" and section.note == ""
    assert section.title == SECTION_TITLES["budget"]
    assert section.text == "\n\n".join(GOOD_BUDGET["paragraphs"])
    assert len(writer.calls) == 1
    messages, schema = writer.calls[0]
    prompt = messages[0][1]
    assert "총 사업비: 80억원" in prompt  # the facts travel in the prompt
    assert schema["properties"]["paragraphs"]["items"]["maxLength"] <= 300


def test_reply_citing_allowed_sources_is_accepted(structure, llm_settings):
    section = draft_section(
        llm_settings, structure, "initiatives", writer=FakeWriter(GOOD_INITIATIVES)
    )
    assert section.method == "llm"
    assert cited(section.text) == [1, 2, 4]


def test_invented_number_is_rejected_retried_then_template(structure, llm_settings):
    writer = FakeWriter(INVENTED)
    section = draft_section(llm_settings, structure, "budget", writer=writer)
    assert len(writer.calls) == 2  # one retry, no more
    retry = writer.calls[1][0]
    assert retry[-2][0] == "assistant" and "95억원" in retry[-2][1]
    assert "95" in retry[-1][1] and "2031" in retry[-1][1]  # the problem is named to the model
    assert section.method == "template"
    assert section.text.startswith(TEMPLATE_MARKER)
    assert "두 번 검증" in section.note and "95" in section.note


def test_retry_that_fixes_the_number_is_accepted(structure, llm_settings):
    writer = FakeWriter(INVENTED, GOOD_BUDGET)
    section = draft_section(llm_settings, structure, "budget", writer=writer)
    assert section.method == "llm" and len(writer.calls) == 2
    assert "95" not in section.text


@pytest.mark.parametrize(
    "reply",
    [
        {"type": "object", "properties": {"paragraphs": {"type": "array"}}},  # schema echo
        {"paragraphs": ['{"paragraphs": ["문단"], "maxItems": 3}은 답변 형식입니다.']},
        {"paragraphs": "문단이 아닌 문자열"},
        {"paragraphs": ["가나다라 " * 30]},  # a loop
        {"paragraphs": ["This section describes the budget in English only, no Korean."]},
        # what the tiny model did on the real server: the instruction, a fact line, a title
        {"paragraphs": ["연도별 소요 예산의 규모와 흐름, 부서별 배분을 설명하세요."]},
        {"paragraphs": ["총 사업비: 80억원(단위 억원)", "연도별 예산 한도: 30억원"]},
        {"paragraphs": ["첫째 문단입니다. 총 사업비는 80억원입니다."]},
        {
            "paragraphs": [
                "연도별 소요 예산의 규모와 흐름, 부서별 배분, 연도별 한도와 조정 사항입니다."
            ]
        },
    ],
)
def test_schema_echo_and_garbage_fall_back_to_template(structure, llm_settings, reply):
    writer = FakeWriter(reply)
    section = draft_section(llm_settings, structure, "budget", writer=writer)
    assert section.method == "template" and len(writer.calls) == 2
    assert section.text == template_text(structure, "budget")
    assert section.note


def test_output_error_is_retried_then_template(structure, llm_settings):
    err = LLMOutputError("LLM 답변이 올바른 JSON이 아닙니다.", code="llm_invalid_json")
    writer = FakeWriter(err)
    section = draft_section(llm_settings, structure, "vision", writer=writer)
    assert len(writer.calls) == 2 and section.method == "template"
    assert "올바른 JSON이 아닙니다" in section.note


def test_unexpected_writer_error_is_a_failed_attempt_not_a_crash(structure, llm_settings):
    writer = FakeWriter(RuntimeError("boom"))
    sections = draft_sections(llm_settings, structure, ["budget", "vision"], writer=writer)
    assert {s.method for s in sections.values()} == {"template"}
    assert all("RuntimeError" in s.note for s in sections.values()) and len(writer.calls) == 4


def test_reply_cut_at_max_tokens_becomes_an_output_error(structure, llm_settings, monkeypatch):
    import openai

    import control_tower.llm.structured as structured

    def cut(*args, **kwargs):
        raise openai.LengthFinishReasonError.__new__(openai.LengthFinishReasonError)

    monkeypatch.setattr(structured, "structured_output", cut)
    section = draft_section(llm_settings, structure, "budget")
    assert section.method == "template" and "max_tokens에서 잘려" in section.note


def test_marker_out_of_range_is_rejected(structure, llm_settings):
    bad = {"paragraphs": ["도시 데이터 통합 플랫폼 구축을 먼저 추진하여 기반을 마련합니다 [7]."]}
    writer = FakeWriter(bad)
    section = draft_section(llm_settings, structure, "initiatives", writer=writer)
    assert section.method == "template" and "[7]" in section.note
    # a marker valid elsewhere but absent from this section's facts is refused as well
    vision_cite = {
        "paragraphs": ["데이터와 AI로 시민의 일상을 바꾸는 스마트 행정을 비전으로 삼습니다 [1]."]
    }
    assert draft_section(
        llm_settings, structure, "vision", writer=FakeWriter(vision_cite)
    ).method == ("template")


def test_unavailable_sends_every_remaining_section_to_template_once(structure, llm_settings):
    writer = FakeWriter(LLMUnavailableError("LLM 서버에 연결할 수 없습니다: http://x"))
    seen: list[tuple[int, int, str]] = []
    sections = draft_sections(
        llm_settings, structure, writer=writer, concurrency=1,
        progress=lambda done, total, s: seen.append((done, total, s.key)),
    )  # fmt: skip
    assert len(writer.calls) == 1  # no second try, no per-section wait
    assert list(sections) == list(SECTION_KEYS)
    assert {s.method for s in sections.values()} == {"template"}
    notes = {s.note for s in sections.values()}
    assert len(notes) == 1 and "연결할 수 없습니다" in notes.pop()
    assert [d for d, _, _ in seen] == list(range(1, len(SECTION_KEYS) + 1))
    assert {t for _, t, _ in seen} == {len(SECTION_KEYS)}


def test_real_client_against_a_closed_port_falls_back_quickly(structure, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(_env_file=None, data_dir=tmp_path, llm_url=f"http://127.0.0.1:{port}/v1",
                        llm_max_retries=0, llm_timeout_s=5)  # fmt: skip
    started = time.monotonic()
    sections = draft_sections(settings, structure)
    assert time.monotonic() - started < 20
    assert all(s.method == "template" and "LLM" in s.note for s in sections.values())


def test_concurrent_drafting_keeps_outline_order_and_mixes_methods(structure, llm_settings):
    class ByKey:
        def write(self, messages, schema):
            return GOOD_BUDGET if "총 사업비: 80억원" in messages[0][1] else INVENTED

    sections = draft_sections(llm_settings, structure, ["vision", "budget"], writer=ByKey())
    assert list(sections) == ["vision", "budget"]
    assert sections["budget"].method == "llm" and sections["vision"].method == "template"


def test_unknown_section_key_is_a_korean_error(structure, llm_settings):
    with pytest.raises(ValueError, match="알 수 없는 절"):
        draft_section(llm_settings, structure, "summary", writer=FakeWriter(GOOD_BUDGET))
    with pytest.raises(ValueError, match="알 수 없는 절"):
        draft_sections(llm_settings, structure, ["budget", "nope"], writer=FakeWriter(GOOD_BUDGET))


def test_structured_writer_calls_structured_output_with_bounded_tokens(
    structure, llm_settings, monkeypatch
):
    import control_tower.llm.structured as structured

    seen = {}

    def fake(settings, schema, messages, **overrides):
        seen.update(overrides, schema=schema, messages=messages)
        return dict(GOOD_BUDGET)

    monkeypatch.setattr(structured, "structured_output", fake)
    section = draft_section(llm_settings, structure, "budget")
    assert section.method == "llm"
    assert seen["max_tokens"] == section_writer.MAX_TOKENS <= 500
    assert seen["repetition_penalty"] == pytest.approx(1.1)
    assert seen["schema"]["required"] == ["paragraphs"]
    assert StructuredSectionWriter(llm_settings, max_tokens=300).max_tokens == 300


# --- validation ----------------------------------------------------------------------------


def test_number_normalization():
    assert numbers_in("1,250건과 12.50%, 2026년~2030년, 80.0억원 [3]") == {
        "1250", "12.5", "2026", "2030", "80"
    }  # fmt: skip


def test_validation_accepts_reformatted_fact_numbers(structure):
    facts = section_facts(structure, "initiatives")
    text = "위기가구 발굴 건수를 1250건에서 2000건으로 늘리는 것을 목표로 합니다 [4]. " * 1
    assert validate_prose(text + "플랫폼 구축은 2026년에 시작합니다.", facts) == []


def test_validation_problems_are_korean_and_specific(structure):
    facts = section_facts(structure, "budget")
    assert validate_prose("", facts) == ["문안이 비어 있습니다."]
    assert any("짧습니다" in p for p in validate_prose("예산입니다.", facts))
    assert any("깁니다" in p for p in validate_prose("예산을 편성합니다. " * 200, facts))
    mixed = "총 사업비는 80억원입니다. 本计划は予算を配分します。로드맵 예산을 설명합니다."
    assert any("한자" in p for p in validate_prose(mixed, facts))
    loop = "예산을 편성하고 집행하며 점검하고 보완하는 과정을 거칩니다. " * 3
    assert any("반복" in p or "두 번" in p for p in validate_prose(loop, facts))


def test_fact_sheet_copied_verbatim_is_rejected(structure):
    facts = section_facts(structure, "initiatives")
    line = facts.lines[3].removeprefix("- ").split(" [")[0]
    assert len(line) > 60
    assert any("그대로 옮겼습니다" in p for p in validate_prose(line + "라고 합니다.", facts))


def test_templates_use_only_fact_numbers_and_markers(structure):
    for key in SECTION_KEYS:
        facts, text = section_facts(structure, key), template_text(structure, key)
        assert text.startswith(TEMPLATE_MARKER), key
        assert numbers_in(text) <= numbers_in(facts.text), key
        assert set(cited(text)) <= set(facts.citations), key


def test_facts_are_deterministic_and_cite_initiative_sources(structure):
    again = sample_roadmap_structure()
    for key in SECTION_KEYS:
        assert section_facts(structure, key) == section_facts(again, key)
    assert section_facts(structure, "initiatives").citations == [1, 2, 3, 4, 5, 6]
    assert section_facts(structure, "phases").citations == []
    assert "1,250건(2025년) → 2,000건(2029년)" in section_facts(structure, "initiatives").text


def test_korean_particles():
    assert josa("플랫폼", "을", "를") == "플랫폼을" and josa("배차", "을", "를") == "배차를"
    assert josa("AI", "이", "가") == "AI가" and josa("서울", "으로", "로") == "서울로"
    assert fmt_num(1250.0) == "1,250" and fmt_num(12.50) == "12.5" and fmt_num(0.0) == "0"


# --- assembly ------------------------------------------------------------------------------


def _table(doc, title_part: str) -> Table:
    return next(t for t in doc.tables() if title_part in t.title)


def _num(cell: str) -> float:
    return 0.0 if cell == "-" else float(cell.replace(",", ""))


def test_document_outline_and_prose_blocks(structure):
    llm = Section(key="budget", title=SECTION_TITLES["budget"], method="llm",
                  text="\n\n".join(GOOD_BUDGET["paragraphs"]))  # fmt: skip
    doc = assemble(structure, {"budget": llm})
    level1 = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    assert level1 == [SECTION_TITLES[k] for k in SECTION_KEYS]
    assert doc.title == structure.title and "2026~2030년" in doc.subtitle
    i = doc.blocks.index(
        next(b for b in doc.blocks if getattr(b, "text", "") == "Ⅵ. 연도별 소요 예산")
    )
    assert [type(b) for b in doc.blocks[i + 1 : i + 3]] == [Paragraph, Paragraph]
    notes = [b for b in doc.blocks if isinstance(b, Note)]
    assert len(notes) == len(SECTION_KEYS) - 1  # every missing section is a marked template
    assert [s.n for s in doc.sources] == list(range(1, len(structure.sources) + 1))
    assert doc.sources[0].path == "스마트도시과/도시 데이터 통합 플랫폼 구축 계획"


def test_budget_table_sums_to_total(structure):
    doc = assemble(structure, {})
    table = _table(doc, "과제별 소요 예산")
    *lines, total = table.rows
    assert total[0] == "합계" and _num(total[-1]) == pytest.approx(structure.budget.total_eok)
    assert sum(_num(r[-1]) for r in lines) == pytest.approx(structure.budget.total_eok)
    years = structure.guidance.years
    for col, year in enumerate(years, start=1):
        assert table.header[col] == f"{year}년"
        assert sum(_num(r[col]) for r in lines) == pytest.approx(_num(total[col]))
        assert _num(total[col]) == pytest.approx(structure.budget.by_year.get(year, 0.0))
    for row in lines:
        assert sum(_num(c) for c in row[1:-1]) == pytest.approx(_num(row[-1]))
    dep = _table(doc, "부서별 소요 예산")
    assert _num(dep.rows[-1][-1]) == pytest.approx(structure.budget.total_eok)
    assert {r[0]: _num(r[-1]) for r in dep.rows[:-1]} == pytest.approx(
        structure.budget.by_department
    )


def test_phase_and_timeline_tables_list_every_initiative(structure):
    doc = assemble(structure, {})
    phases = _table(doc, "단계별 추진과제")
    assert phases.header == ["단계", "기간", "추진과제"]
    listed = ", ".join(r[2] for r in phases.rows)
    assert all(ini.title in listed for ini in structure.initiatives)
    timeline = _table(doc, "연도별 추진 일정")
    for row in timeline.rows:
        ini = next(i for i in structure.initiatives if i.title == row[0])
        marked = [y for y, c in zip(structure.guidance.years, row[1:], strict=True) if c == "●"]
        assert marked == list(range(ini.start_year, ini.end_year + 1))
    assert len(timeline.rows) == len(structure.initiatives)


def test_every_initiative_has_its_card(structure):
    doc = assemble(structure, {})
    cards = {
        t.title.removeprefix("과제 카드: "): t
        for t in doc.tables()
        if t.title.startswith("과제 카드")
    }
    assert set(cards) == {i.title for i in structure.initiatives}
    signal = dict(cards["AI 교통신호 최적화"].rows)
    assert signal["부서"] == "교통정책과" and signal["단계"] == "중기"
    assert signal["선행과제"] == "도시 데이터 통합 플랫폼 구축"
    assert signal["예산"].startswith("25억원") and signal["출처"].startswith("[2] ")
    assert "94초(2025년) → 75초(2029년)" in signal["KPI"]
    subheads = [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 2]
    assert subheads[0] == "1. 도시 데이터 통합 플랫폼 구축"  # the platform comes first


def test_kpi_and_training_tables(structure):
    doc = assemble(structure, {})
    kpi = next(t for t in doc.tables() if t.title == "성과지표")
    assert kpi.header == ["지표", "기준값(연도)", "목표값(연도)", "과제"]
    n_kpis = sum(len(g.kpis) for g in structure.goals) + sum(
        len(i.kpis) for i in structure.initiatives
    )
    assert len(kpi.rows) == n_kpis
    assert all(
        re.search(r"\(\d{4}년\)$", r[1]) and re.search(r"\(\d{4}년\)$", r[2]) for r in kpi.rows
    )
    training = _table(doc, "역량 강화 교육")
    assert training.header == ["부서", "교육 과정", "대상", "인원", "시기"]
    assert len(training.rows) == len(structure.training)
    assert training.rows[0] == [
        "전 부서",
        "생성형 AI 업무 활용 기본",
        "전 직원",
        "1,200",
        "2026년 상반기",
    ]
    stats = _table(doc, "부서별 등록 사업")
    assert stats.rows[-1] == ["합계", "14"]


def test_every_section_has_an_instruction_prompt():
    from control_tower.prompts import load_prompt

    for key in SECTION_KEYS:
        assert re.search(r"[가-힣]", load_prompt(f"roadmap_section_{key}").template)
    assert load_prompt("roadmap_section").fields == {"title", "instruction", "facts", "citations"}
