"""AI 활용 현황 page and API on a real app: who may see it (AI division and admins only),
exact numbers from audit events spread over weeks and departments, the zero-result
searches, and a leak test — a real indexed document's text never reaches the dashboard or
the audit page, even after real searches found it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient

from control_tower.domain import AccessLevel, Chunk, DocumentMeta, now
from control_tower.store.models import AuditEventRow
from serving.app import create_app
from tests.auth_helpers import login, make_user

DEPT_A = "교통정책과"
DEPT_B = "복지정책과"
TZ = now().tzinfo


def users(store) -> None:  # noqa: ANN001
    make_user(store, "root", "정보통신과", ["admin"])
    make_user(store, "kim", DEPT_A, ["staff"])
    make_user(store, "boss", DEPT_A, ["dept_head"])
    make_user(store, "ai", DEPT_B, ["ai_division"])


@pytest.fixture
def app(settings):
    app = create_app(settings)
    users(app.state.services.store)
    return app


def signed_in(app, username: str | None) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    if username:
        login(c, username)
    return c


def add_events(store, rows) -> None:  # noqa: ANN001
    with store.begin() as s:
        for when, event, user, dept, details in rows:
            s.add(
                AuditEventRow(
                    at=when,
                    event=event,
                    surface="web",
                    username=user,
                    department=dept,
                    authenticated=True,
                    outcome="ok",
                    target=details.get("query"),
                    details=details,
                )
            )


def q(text: str, hits: int = 1) -> dict:
    return {"query": text, "results": [f"d:1:{i}" for i in range(hits)]}


def test_dashboard_access_by_role(app):
    assert signed_in(app, None).get("/usage").status_code == 303
    assert signed_in(app, None).get("/api/v1/usage").status_code == 401
    for who in ("kim", "boss"):
        c = signed_in(app, who)
        assert c.get("/usage").status_code == 403, who
        r = c.get("/api/v1/usage")
        assert r.status_code == 403 and r.json()["detail"]["code"] == "forbidden"
    for who in ("ai", "root"):
        c = signed_in(app, who)
        assert c.get("/usage").status_code == 200, who
        assert c.get("/api/v1/usage").status_code == 200, who
    nav = signed_in(app, "boss").get("/search").text
    assert 'data-testid="nav-usage"' not in nav
    assert 'data-testid="nav-usage"' in signed_in(app, "ai").get("/search").text


def test_usage_api_exact_numbers(app):
    store = app.state.services.store
    d = lambda day, h=10: datetime(2026, 11, day, h, tzinfo=TZ)  # noqa: E731
    add_events(
        store,
        [
            (d(10), "search", "kim", DEPT_A, q("버스 노선")),
            (d(11), "search", "kim", DEPT_A, q("KTX 정차역", 0)),
            (d(12), "upload", "kim", DEPT_A, {}),
            (d(12), "login", "kim", DEPT_A, {}),
            (d(17), "search", "ai", DEPT_B, q("ktx  정차역", 0)),
            (d(18), "search", "lee", DEPT_B, q("긴급복지")),
            (d(24), "chat.turn", "boss", DEPT_A, {}),
            (d(26), "registry.edit", "ai", DEPT_B, {}),
            (d(30), "search", "kim", DEPT_A, q("다음 주", 0)),  # after the period
        ],
    )
    c = signed_in(app, "ai")
    r = c.get("/api/v1/usage", params={"weeks": 3, "until": "2026-11-25"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [w["week"] for w in body["weeks"]] == ["2026-W46", "2026-W47", "2026-W48"]
    assert [w["searches"] for w in body["weeks"]] == [2, 2, 0]
    assert [w["uploads"] for w in body["weeks"]] == [1, 0, 0]
    assert [w["active_users"] for w in body["weeks"]] == [1, 2, 2]
    assert [(w["chat_turns"], w["registry_edits"]) for w in body["weeks"]][2] == (1, 1)
    depts = {x["department"]: x for x in body["departments"]}
    assert (depts[DEPT_A]["searches"], depts[DEPT_A]["active_users"]) == (2, 2)
    assert (depts[DEPT_B]["searches"], depts[DEPT_B]["registry_edits"]) == (2, 1)
    (z,) = body["zero_result_queries"]
    assert (z["normalized"], z["count"], z["departments"]) == (
        "ktx 정차역",
        2,
        {DEPT_A: 1, DEPT_B: 1},
    )
    only_a = c.get(
        "/api/v1/usage", params={"weeks": 3, "until": "2026-11-25", "department": DEPT_A}
    )
    assert [x["department"] for x in only_a.json()["departments"]] == [DEPT_A]
    assert c.get("/api/v1/usage", params={"weeks": 0}).status_code == 422
    for extreme in ("9999-12-31", "0001-01-01"):  # date arithmetic would overflow
        r = c.get("/api/v1/usage", params={"weeks": 104, "until": extreme})
        assert r.status_code == 400 and r.json()["detail"]["code"] == "bad_date"


def test_usage_page_table_chart_and_zero_results(app):
    store = app.state.services.store
    today = now().date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), time(9), TZ)
    add_events(
        store,
        [
            (monday, "search", "kim", DEPT_A, q("주차장 부지")),
            (monday, "search", "kim", DEPT_A, q("드론 배송 실증", 0)),
            (monday - timedelta(days=7), "search", "lee", DEPT_B, q("드론  배송 실증", 0)),
            (monday - timedelta(days=7), "upload", "lee", DEPT_B, {}),
        ],
    )
    page = signed_in(app, "ai").get("/usage", params={"weeks": 4})
    assert page.status_code == 200
    html = page.text
    assert "<h1>AI 활용 현황</h1>" in html and "문서 내용이나 제목은 보여 주지 않습니다" in html
    assert 'data-testid="usage-chart"' in html and "<svg" in html
    assert html.count('data-testid="zero-row"') == 1
    assert "드론 배송 실증" in html and f"{DEPT_A} 1, {DEPT_B} 1" in html
    assert "주차장 부지" not in html  # a search that found something is not listed
    assert 'data-department="교통정책과"' in html and 'data-department="복지정책과"' in html
    by_uploads = signed_in(app, "ai").get("/usage", params={"weeks": 4, "measure": "uploads"})
    assert "주별 업로드 문서" in by_uploads.text


SECRET = "ZQX7731 항만 매립지 보상 협상 단가는 제곱미터당 41만 2천원으로 잠정 합의"
SECRET_TITLE = "항만매립지보상협상내부자료"


@pytest.fixture
def indexed_app(settings, store, index):
    """The app on a real index holding one department-only document with a unique phrase."""
    app = create_app(settings)
    services = app.state.services
    services.__dict__["store"] = store
    services.__dict__["index"] = index
    users(store)
    meta = DocumentMeta(
        doc_id="doc-secret",
        title=SECRET_TITLE,
        department=DEPT_A,
        access_level=AccessLevel.department,
        source_path="/corpus/secret.txt",
        doc_type="txt",
        content_hash="hash-secret",
    )
    chunk = Chunk(
        chunk_id="doc-secret:1:0",
        ordinal=0,
        text=SECRET,
        meta=meta,
        char_start=0,
        char_end=len(SECRET),
    )
    store.begin_document(meta)
    index.replace_document("doc-secret", [chunk])
    store.mark_indexed("doc-secret", chunk_count=1, run_id=None)
    index.sparse.wait_for_refresh(timeout=30)
    return app


def test_leak_no_document_text_on_dashboard_or_audit(indexed_app):
    kim = signed_in(indexed_app, "kim")
    found = kim.get("/api/v1/search", params={"q": "항만 매립지 보상"})
    assert found.status_code == 200
    assert any("ZQX7731" in r["text"] for r in found.json()["results"])  # the text exists
    kim.get("/search", params={"q": "매립지 보상 단가"})  # the web page search, audited too
    outsider = signed_in(indexed_app, "ai")  # DEPT_B: may not read the document
    outsider.get("/api/v1/search", params={"q": "항만 매립지 보상 단가"})

    pages = {
        "usage page (ai)": outsider.get("/usage").text,
        "usage api (ai)": outsider.get("/api/v1/usage").text,
    }
    root = signed_in(indexed_app, "root")
    pages |= {
        "usage page (admin)": root.get("/usage").text,
        "audit page": root.get("/admin/audit").text,
        "audit api": root.get("/api/v1/admin/audit", params={"per_page": 200}).text,
        "audit csv": root.get("/api/v1/admin/audit.csv").content.decode("utf-8-sig"),
    }
    assert list(csv.reader(io.StringIO(pages["audit csv"])))[1:]  # the searches are there
    assert "doc-secret:1:0" in pages["audit api"]  # the audit knows what was found (ids only)
    for name, text in pages.items():
        assert "ZQX7731" not in text, name
        assert "41만 2천원" not in text, name
        assert SECRET_TITLE not in text, name
        assert "/corpus/secret.txt" not in text, name
