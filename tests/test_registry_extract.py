"""Rule and LLM extraction of project mentions from the real demo files (real parsers)."""

from __future__ import annotations

import time

import pytest

from control_tower.llm.errors import LLMUnavailableError
from control_tower.registry.money import parse_money
from tests.registry_fixtures import demo_corpus  # noqa: F401 - session fixture

# (key, format, name, lead, (start_year, start_month, end_year, end_month), budget, funding)
OVERVIEWS = [
    (
        "agri-smart-farm",
        "hwpx",
        "청년 스마트팜 실증단지 조성",
        "농업기술센터",
        (2025, 3, 2026, 12),
        20.0,
        {"국비": 10.0, "도비": 3.0, "시비": 7.0},
    ),
    (
        "env-odor-iot",
        "hwp",
        "산업단지 주변 악취 IoT 측정망 확충",
        "환경정책과",
        (2025, 6, 2025, 12),
        6.5,
        {"국비": 3.25, "시비": 3.25},
    ),
    (
        "agri-pest-ai",
        "pdf",
        "AI 기반 병해충 예찰 서비스 도입",
        "농업기술센터",
        (2025, 4, 2026, 3),
        4.2,
        {"국비": 2.1, "도비": 0.63, "시비": 1.47},
    ),
    (
        "ai-computing-center",
        "docx",
        "글로벌 AI 컴퓨팅센터 유치",
        "디지털융합산업과",
        (2025, 6, 2028, 12),
        2000.0,
        {"민자": 1500.0, "국비": 300.0, "도비": 60.0, "시비": 140.0},
    ),
    (
        "hr-genai-training",
        "docx",
        "공무원 생성형 AI 활용 역량강화 교육",
        "총무과",
        (2025, 5, 2025, 11),
        0.96,
        {"시비": 0.96},
    ),
    (
        "health-heat-illness",
        "hwpx",
        "온열질환 응급실 감시체계 운영",
        "보건소",
        (2025, 5, 2025, 9),
        1.2,
        {"시비": 1.2},
    ),
    (
        "tourism-homi-special-zone",
        "pdf",
        "호미반도 관광특구 활성화",
        "관광과",
        (2025, None, 2029, None),
        480.0,
        {"국비": 144.0, "도비": 72.0, "시비": 264.0},
    ),
]


def _primary(result):
    prim = [m for m in result.mentions if m.role == "primary"]
    assert len(prim) == 1, [m.name for m in result.mentions]
    return prim[0]


@pytest.mark.parametrize(("key", "fmt", "name", "lead", "period", "budget", "funding"), OVERVIEWS)
def test_overview_per_format(demo_corpus, key, fmt, name, lead, period, budget, funding):  # noqa: F811
    doc = demo_corpus.doc(key)
    assert doc.parsed.metadata["format"] == fmt
    m = _primary(demo_corpus.extract(key))
    f = {k: v.value for k, v in m.fields.items()}
    assert m.name == f["name"] == name
    assert m.lead_department == lead and f["departments"][0] == lead
    assert (f["start_year"], f.get("start_month"), f["end_year"], f.get("end_month")) == period
    assert f["budget_eok"] == pytest.approx(budget, rel=0.01)
    assert f["funding"] == pytest.approx(funding)
    assert m.fields["name"].method == "table"
    assert m.fields["budget_eok"].method == "table"


def test_every_plan_gets_the_five_key_fields_by_rules(demo_corpus):  # noqa: F811
    """Every 사업계획 file: name, lead department, years, budget and funding all stated, each
    cited to a span of the full text that really holds it."""
    plans = demo_corpus.keys("사업계획")
    assert len(plans) >= 30
    for key in plans:
        doc = demo_corpus.doc(key)
        m = _primary(demo_corpus.extract(key))
        for field in ("name", "departments", "start_year", "end_year", "budget_eok", "funding"):
            assert field in m.fields, (key, field)
        name_src = m.fields["name"].source
        assert doc.text[name_src.char_start : name_src.char_end] == m.name
        budget_src = m.fields["budget_eok"].source
        cited = parse_money(doc.text[budget_src.char_start : budget_src.char_end])
        assert cited is not None and cited.total_eok == m.fields["budget_eok"].value, key
        dept_src = m.fields["departments"].source
        assert m.lead_department in doc.text[dept_src.char_start : dept_src.char_end], key
        year_src = m.fields["start_year"].source
        assert (
            str(m.fields["start_year"].value) in doc.text[year_src.char_start : year_src.char_end]
        )
        assert m.fields["departments"].value[0] == doc.base.department  # demo: own department


def test_citations_carry_document_and_place(demo_corpus):  # noqa: F811
    doc = demo_corpus.doc("agri-pest-ai")  # PDF: pages
    m = _primary(demo_corpus.extract("agri-pest-ai"))
    src = m.fields["budget_eok"].source
    assert src.doc_id == doc.base.doc_id and src.path == doc.base.path
    assert src.page == 2
    # DOCX: the heading path, built as the chunker builds it (both headings are level 1)
    m2 = _primary(demo_corpus.extract("ai-computing-center"))
    assert m2.fields["name"].source.section == "사업 개요"
    assert m2.fields["goal"].source.section != "사업 개요" if "goal" in m2.fields else True


def test_passages_are_cited_body_lines(demo_corpus):  # noqa: F811
    doc = demo_corpus.doc("ict-data-platform")
    m = _primary(demo_corpus.extract("ict-data-platform"))
    assert 3 <= len(m.passages) <= 8
    for p in m.passages:
        assert len(p.text) <= 400
        span = doc.text[p.source.char_start : p.source.char_end].replace("\n", " ")
        assert span == p.text
        assert "☎" not in p.text and "문서번호" not in p.text


def test_text_fields_and_lexicon_terms(demo_corpus):  # noqa: F811
    doc = demo_corpus.doc("agri-smart-farm")
    m = _primary(demo_corpus.extract("agri-smart-farm"))
    f = {k: v.value for k, v in m.fields.items()}
    assert "청년농 정착" in f["goal"]
    assert f["summary"].startswith("임대형 스마트 온실 8동")
    assert "IoT 센서" in f["technologies"] and "스마트팜" in f["technologies"]
    assert "재배 데이터" in f["data"]
    assert f["status"] == "계획"  # starts after the document date (2025-02-13)
    tech = m.fields["technologies"].source
    assert doc.text[tech.char_start : tech.char_end] in (
        "스마트팜",
        "데이터 플랫폼",
        "IoT",
        "스마트 온실",
    )
    pest = _primary(demo_corpus.extract("agri-pest-ai"))
    kpis = pest.fields["kpis"].value
    assert any("85%" in k for k in kpis) and pest.fields["kpis"].method == "rule"


def test_work_plan_budget_table_gives_reference_mentions(demo_corpus):  # noqa: F811
    result = demo_corpus.extract("ai-2025-work-plan")
    assert not [
        m for m in result.mentions if m.role == "primary"
    ]  # a 주요업무계획 names no project
    refs = {m.name: m for m in result.mentions}
    chatbot = refs["생성형 AI 민원상담 챗봇"]
    assert chatbot.role == "reference"
    assert chatbot.fields["budget_eok"].value == pytest.approx(15.0)
    assert chatbot.fields["status"].value == "계획"  # 신규
    assert refs["중소 제조기업 AI 전환(AX) 지원"].fields["status"].value == "추진중"  # 계속
    assert refs["AI 인재양성 아카데미"].fields["funding"].value == {"시비": 7.0}
    assert "funding" not in chatbot.fields  # 국·도·시비: sources named, shares unknown
    assert chatbot.lead_department == "디지털융합산업과"


def test_xlsx_budget_sheet_gives_departments_and_funding(demo_corpus):  # noqa: F811
    doc = demo_corpus.doc("budget-ai-project-register")
    result = demo_corpus.extract("budget-ai-project-register")
    refs = {m.name: m for m in result.mentions}
    assert len(refs) == 23  # every row of the split sheet, the header carried over
    assert all(m.role == "reference" for m in refs.values())
    flood = refs["도시침수 AI 예측 시스템"]
    assert flood.lead_department == "상하수도과"  # the 담당부서 column, not the sheet owner
    assert flood.fields["budget_eok"].value == pytest.approx(29.0)
    assert flood.fields["funding"].value == pytest.approx(
        {"국비": 14.5, "도비": 4.35, "시비": 10.15}
    )
    assert (flood.fields["start_year"].value, flood.fields["end_year"].value) == (2025, 2027)
    src = flood.fields["budget_eok"].source
    assert doc.text[src.char_start : src.char_end] == "2900"
    assert src.section == "사업목록" and src.row is not None
    care = refs["홀로 사는 어르신 AI 안부확인"]
    assert care.fields["funding"].value == pytest.approx({"도비": 1.44, "시비": 3.36})  # 0 dropped


def test_sheet_unit_in_thousand_won_and_team_column(demo_corpus):  # noqa: F811
    refs = {m.name: m for m in demo_corpus.extract("agri-pilot-budget").mentions}
    pest = refs["AI 병해충 예찰 서비스"]
    assert pest.fields["budget_eok"].value == pytest.approx(4.2)  # 420000 천원
    assert pest.lead_department == "농업기술센터"  # 담당팀 is a team: the owner department
    rows = [
        m
        for m in demo_corpus.extract("welfare-budget-2025").mentions
        if m.name == "빅데이터 기반 위기가구 발굴"
    ]
    by_sheet = {m.source.section: m for m in rows}
    assert by_sheet["사업별예산"].fields["status"].value == "계획"  # 구분: 신규
    assert by_sheet["사업별예산"].fields["departments"].value == ["복지정책과"]  # 팀 column ignored
    # the AI사업 sheet's 협업부서 column adds the managed departments it names (세정과 is not)
    assert by_sheet["AI사업"].fields["departments"].value == ["복지정책과", "정보통신과"]


def test_request_amounts_are_not_budgets(demo_corpus):  # noqa: F811
    # 2026 요구액 is a yearly request; only 총사업비 is the project's budget.
    refs = {m.name: m for m in demo_corpus.extract("ict-it-budget-2026").mentions}
    platform = refs["통합 데이터 플랫폼 구축(2차년도)"]
    assert platform.fields["budget_eok"].value == pytest.approx(48.0)
    # a sheet of requests only still names each project and its department (to attach),
    # but carries no budget of its own
    chatbot = refs["생성형 AI 민원상담 챗봇"]
    assert "budget_eok" not in chatbot.fields
    assert chatbot.lead_department == "디지털융합산업과"
    assert refs["AI 스피커 어르신 건강관리"].fields["departments"].value == ["보건소"]


def test_meeting_notes_give_no_prose_mentions(demo_corpus):  # noqa: F811
    for key in demo_corpus.keys("회의록"):
        assert [m for m in demo_corpus.extract(key).mentions if m.role == "primary"] == [], key


def test_title_rule_for_plan_like_prose(demo_corpus):  # noqa: F811
    # a progress report without an overview table: named by its title, suffix stripped
    m = _primary(demo_corpus.extract(_key_of(demo_corpus, "수소환원제철")))
    assert m.name == "수소환원제철 연계 수소 특화단지 조성"
    assert m.fields["name"].method == "rule"
    carbon = _primary(demo_corpus.extract(_key_of(demo_corpus, "탄소중립")))
    assert (carbon.fields["start_year"].value, carbon.fields["end_year"].value) == (2025, 2029)


def _key_of(corpus, fragment: str) -> str:
    return next(e.key for e in corpus.manifest.documents if fragment in e.title)


def test_extraction_is_fast(demo_corpus):  # noqa: F811
    keys = demo_corpus.keys()
    docs = [demo_corpus.doc(k) for k in keys]  # parse outside the timing
    t = time.perf_counter()
    for k in keys:
        demo_corpus.extract(k)
    per_doc = (time.perf_counter() - t) / len(docs)
    assert per_doc < 0.1, per_doc


# --- LLM path with a fake extractor -------------------------------------------------------


class FakeLLM:
    def __init__(self, reply=None, error: Exception | None = None):
        self.reply, self.error, self.calls = reply or {}, error, []

    def extract(self, *, title, text, fields):
        self.calls.append(list(fields))
        if self.error:
            raise self.error
        return {f: self.reply.get(f, [] if f not in ("goal", "summary") else "") for f in fields}


def test_llm_fills_only_empty_prose_fields_and_keeps_grounded_values(demo_corpus):  # noqa: F811
    key = "agri-pest-ai"  # rules find no goal, beneficiaries or partners here
    doc = demo_corpus.doc(key)
    rules_only = _primary(demo_corpus.extract(key))
    assert "goal" not in rules_only.fields
    fake = FakeLLM(
        {
            "goal": "농가가 사진만 찍어도 병해충을 판별하고 방제 시기를 알려주는 서비스",
            "partners": ["경상북도 농업기술원", "국립농업과학원", "삼성전자 AI 연구소"],
            "beneficiaries": ["화성에 사는 외계인 농부"],
        }
    )
    result = demo_corpus.extract(key, llm=fake)
    m = _primary(result)
    assert fake.calls and "budget_eok" not in fake.calls[0] and "summary" not in fake.calls[0]
    assert m.fields["goal"].method == "llm"
    src = m.fields["goal"].source
    assert "사진만 찍어도 병해충을 판별" in doc.text[src.char_start : src.char_end]
    assert m.fields["partners"].value == [
        "경상북도 농업기술원",
        "국립농업과학원",
    ]  # invented one dropped
    assert "beneficiaries" not in m.fields  # nothing grounded: nothing kept
    assert result.llm_fields == 2 and result.llm_error is None
    assert m.fields["budget_eok"].value == rules_only.fields["budget_eok"].value
    assert m.fields["summary"].method == "rule"


def test_llm_failure_falls_back_to_rules_with_a_message(demo_corpus):  # noqa: F811
    key = "agri-pest-ai"
    fake = FakeLLM(error=LLMUnavailableError("LLM 서버에 연결할 수 없습니다."))
    result = demo_corpus.extract(key, llm=fake)
    m = _primary(result)
    assert result.llm_fields == 0
    assert result.llm_error and "규칙" in result.llm_error
    assert m.fields["budget_eok"].value == pytest.approx(4.2)
    assert all(fv.method != "llm" for fv in m.fields.values())


def test_no_llm_call_for_reference_only_documents(demo_corpus):  # noqa: F811
    fake = FakeLLM()
    result = demo_corpus.extract("budget-ai-project-register", llm=fake)
    assert fake.calls == [] and result.llm_fields == 0


# --- the real extractor against a local OpenAI-compatible stub server ---------------------


class _StubLLM:
    """A chat-completions endpoint that answers from a queue and records each request."""

    def __init__(self, replies: list[str]):
        import http.server
        import json
        import threading

        stub = self
        self.replies, self.requests = list(replies), []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                content = stub.replies.pop(0) if stub.replies else "{}"
                out = json.dumps(
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "stub",
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": content},
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _settings(tmp_path, url):
    from control_tower.settings import Settings

    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        llm_url=url,
        llm_max_retries=0,
        llm_timeout_s=5,
        llm_model="stub",
    )


def test_structured_extractor_schema_retry_and_grounding(demo_corpus, tmp_path):  # noqa: F811
    import json

    from control_tower.registry.llm_extract import StructuredLLMExtractor

    good = json.dumps(
        {
            "goal": "농가가 사진만 찍어도 병해충을 판별하고 방제 시기를 알려주는 서비스",
            "beneficiaries": ["외계인"],
            "partners": ["경상북도 농업기술원"],
        },
        ensure_ascii=False,
    )
    stub = _StubLLM(['{"goal": ', good])  # the first reply is cut: one retry
    try:
        llm = StructuredLLMExtractor(_settings(tmp_path, stub.url))
        result = demo_corpus.extract("agri-pest-ai", llm=llm)
    finally:
        stub.close()
    assert len(stub.requests) == 2
    schema = stub.requests[0]["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"goal", "beneficiaries", "partners"}
    assert schema["properties"]["goal"]["maxLength"] <= 300
    assert all(p["items"]["maxLength"] for k, p in schema["properties"].items() if k != "goal")
    prompt = stub.requests[0]["messages"][0]["content"]
    assert "AI 기반 병해충 예찰 서비스 도입" in prompt and "☎" not in prompt
    m = _primary(result)
    assert m.fields["goal"].method == "llm" and "beneficiaries" not in m.fields
    assert m.fields["partners"].value == ["경상북도 농업기술원"]
    assert result.llm_fields == 2 and result.llm_error is None


def test_structured_extractor_gives_up_at_once_after_the_server_dies(demo_corpus, tmp_path):  # noqa: F811
    import socket

    from control_tower.registry.llm_extract import StructuredLLMExtractor

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = StructuredLLMExtractor(_settings(tmp_path, f"http://127.0.0.1:{port}/v1"))
    first = demo_corpus.extract("agri-pest-ai", llm=llm)
    assert first.llm_error and "규칙" in first.llm_error
    t = time.perf_counter()
    second = demo_corpus.extract("ocean-red-tide", llm=llm)
    assert time.perf_counter() - t < 0.5  # no second connection attempt, no timeout
    assert second.llm_error and _primary(second).fields["budget_eok"].value == pytest.approx(8.5)
