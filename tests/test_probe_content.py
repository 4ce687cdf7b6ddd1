"""Probes with hostile document content and names through the real upload → job → pipeline →
index → pages path: unreadable files must fail with Korean reasons that name no server path,
and markup in file names, document text and queries must come back escaped on every page
(titles, snippets, the passage page, the documents list and the job's items)."""

from __future__ import annotations

import zipfile
from io import BytesIO

from fastapi.testclient import TestClient

from tests import upload_helpers
from tests.auth_helpers import login
from tests.upload_helpers import upload_and_wait

app_client = upload_helpers.app_client  # fixture

XSS_NAME = '<img src=x onerror="alert(1)">주차.txt'
XSS_BODY = (
    "포항시 주차 안내 <script>alert('qzxss')</script> 입니다. "
    '<a href="javascript:alert(2)">링크</a> 공영주차장 요금표.\n'
).encode()
RAW_MARKUP = ("<script>alert(", "<img src=x", 'href="javascript:', 'onerror="alert')


def _broken_docx() -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><broken")
    return buf.getvalue()


def test_failed_files_give_korean_reasons_without_server_paths(app_client, settings):
    c = app_client
    files = [
        ("깨진 문서.pdf", b"%PDF-1.4 not really a pdf"),
        ("깨진 문서.docx", _broken_docx()),
        ("빈 문서.txt", b""),
        ("이상한 문서.hwp", bytes(range(256)) * 8),
    ]
    job = upload_and_wait(c, files, c.keys["kim"])
    data_dir = str(settings.data_dir)
    for item in job["items"]:
        assert item["status"] in ("failed", "skipped"), item
        assert item["message"] and any("\uac00" <= ch <= "\ud7a3" for ch in item["message"])
        assert data_dir not in str(item), item
        assert "/tmp/" not in str(item) and "Traceback" not in str(item), item
    listed = c.get("/api/v1/documents", headers=c.keys["kim"])
    assert data_dir not in listed.text and "/tmp/" not in listed.text
    web = TestClient(c.app, follow_redirects=False)
    login(web, "kim")
    page = web.get("/documents")
    assert page.status_code == 200
    assert data_dir not in page.text and "/tmp/" not in page.text
    for f in ("깨진 문서", "빈 문서"):
        assert f in page.text  # the list shows the failed files by name …
    assert "실패" in page.text or "건너뜀" in page.text  # … with their Korean status


def test_markup_in_names_text_and_queries_is_escaped_everywhere(app_client):
    c = app_client
    job = upload_and_wait(c, [(XSS_NAME, XSS_BODY)], c.keys["kim"])
    item = job["items"][0]
    assert item["status"] == "indexed", item
    doc_id = item["data"]["doc_id"]
    c.app.state.services.index.sparse.wait_for_refresh(timeout=30)
    web = TestClient(c.app, follow_redirects=False)
    login(web, "kim")
    pages = {
        "search": web.get("/search", params={"q": "주차 안내 요금표"}),
        "search-htmx": web.get(
            "/search", params={"q": "주차 안내 요금표"}, headers={"HX-Request": "true"}
        ),
        "search-query": web.get("/search", params={"q": "<script>alert('q')</script>"}),
        "documents": web.get("/documents"),
        "documents-job": web.get("/documents", params={"job": job["job_id"]}),
        "job-param": web.get("/documents", params={"job": '"><script>alert(3)</script>'}),
    }
    version = c.app.state.services.store.get_document(doc_id).version
    pages["passage"] = web.get(
        f"/documents/{doc_id}/passage",
        params={"chunk": f"{doc_id}:{version}:0", "q": "<script>alert('p')</script>"},
    )
    assert "qzxss" in pages["search"].text  # the document was found and shown …
    assert "qzxss" in pages["passage"].text
    for name, r in pages.items():
        assert r.status_code == 200, (name, r.status_code)
        for raw in RAW_MARKUP:
            assert raw not in r.text, (name, raw)
        assert "<script>alert('q')" not in r.text and "<script>alert(3)" not in r.text, name
