"""The Korean web pages (search, documents, passage in context) through the real app: real
store, real index, documents ingested by the real pipeline, signed in with real sessions.

Each page must render for a signed-in user, send anonymous visitors to the login page, never
show a server file path, and re-check access (a passage of an unreadable document is a 404,
exactly like an unknown id). Browser behaviour (JS, focus, screenshots) is in tests/browser/.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from control_tower.audit import AuditLog
from control_tower.domain import AccessLevel
from serving.navigation import NAV_ITEMS, nav_for
from serving.web_assets import ASSETS, VENDOR_DIR, missing_assets
from tests.auth_helpers import login, make_user

DEPT_A, DEPT_B = "교통정책과", "복지정책과"
PARKING = "공영주차장"
SECRET = "기밀협상"

# Long enough for several chunks, so the passage page has neighbours to show.
SECTIONS = [
    f"{i}. 주차 정책 {i}단계\n\n"
    + " ".join(
        f"포항시 {PARKING} 확충 계획 {i}-{j}항입니다. 도심 주차난을 줄이려고 부지를 확보합니다."
        for j in range(6)
    )
    for i in range(1, 5)
]


def _write(folder, name: str, text: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def env(tmp_path_factory, models_dir, embedder):
    """One app for the module (the pages only read; one ingest instead of one per test)."""
    from control_tower.index.bm25_backend import BM25ChunkIndex
    from control_tower.index.chroma_backend import ChromaChunkIndex
    from control_tower.index.facade import Index
    from control_tower.settings import Settings
    from control_tower.store import open_store
    from ingest.pipeline import ingest_paths
    from serving.app import create_app

    root = tmp_path_factory.mktemp("ui_pages")
    settings = Settings(
        _env_file=None,
        data_dir=root / "data",
        models_dir=models_dir,
        database_url=f"sqlite:///{root / 'ct.db'}",
        chunk_size=200,
        chunk_overlap=40,
    )
    settings.data_dir.mkdir(parents=True)
    store = open_store(settings)
    index = Index(ChromaChunkIndex(settings, embedder), BM25ChunkIndex(settings))
    app = create_app(settings)
    services = app.state.services
    services.__dict__["store"] = store  # share the test's store and index (one model load)
    services.__dict__["index"] = index
    make_user(store, "kim", DEPT_A, ["staff"], display_name="김민수")
    make_user(store, "park", DEPT_B, ["staff"])
    make_user(store, "root", "정보통신과", ["admin"])
    src = root / "src"
    src.mkdir()
    common = {"store": store, "index": index}
    ingest_paths(
        [_write(src, "주차장 확충 계획.txt", "\n\n".join(SECTIONS))],
        settings,
        department=DEPT_A,
        access=AccessLevel.department,
        **common,
    )
    ingest_paths(
        [_write(src, "복지 안내.txt", "복지정책과 경로당 난방비 지원 안내입니다. " * 5)],
        settings,
        department=DEPT_B,
        access=AccessLevel.internal,
        **common,
    )
    ingest_paths(
        [_write(src, "깨진 문서.pdf", "%PDF-1.4 this is not a real pdf")],
        settings,
        department=DEPT_A,
        access=AccessLevel.internal,
        **common,
    )
    ingest_paths(
        [_write(src, "비밀 협상.txt", f"{SECRET} 부지 매입 협상 단가는 평당 비공개입니다. " * 4)],
        settings,
        department=DEPT_A,
        access=AccessLevel.restricted,
        allowed_users=["park"],
        **common,
    )
    index.sparse.wait_for_refresh(timeout=30)
    yield app, settings, store, index, root
    store.close()


@pytest.fixture
def app(env):
    return env[0]


@pytest.fixture
def ui_settings(env):
    return env[1]


@pytest.fixture
def root_dir(env):
    return env[4]


def signed_in(app, username: str) -> TestClient:
    """A client holding a real session cookie of ``username`` (the JSON login step)."""
    client = TestClient(app, follow_redirects=False)
    login(client, username)
    return client


def _no_server_paths(html: str, settings, tmp_path) -> None:
    assert str(settings.data_dir) not in html
    assert str(tmp_path) not in html
    assert not re.search(r"(/tmp/|/home/|/work/|/var/|[A-Za-z]:\\\\)", html), "a file path leaked"


def _parking_doc(app) -> str:
    return next(r.doc_id for r in app.state.services.store.list_documents() if "주차장" in r.title)


# --- layout and navigation ------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/search", "/documents", "/search?q=주차"])
def test_anonymous_visitors_go_to_login(app, path):
    r = TestClient(app, follow_redirects=False).get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_forged_user_header_gets_the_login_page(app):
    r = TestClient(app, follow_redirects=False).get("/search", headers={"X-CT-User": "root"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_root_redirects_signed_in_users_to_search(app):
    r = signed_in(app, "kim").get("/")
    assert r.status_code == 303 and r.headers["location"] == "/search"


def test_layout_korean_user_menu_csrf_and_assets(app):
    client = signed_in(app, "kim")
    page = client.get("/search")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="ko">' in html and "AI 혁신 컨트롤타워" in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link
    assert "김민수" in html and DEPT_A in html  # display name and department
    assert 'action="/logout"' in html and 'method="post"' in html
    token = re.search(r'data-csrf-token="([^"]+)"', html).group(1)
    assert f'name="csrf_token" value="{token}"' in html
    assert "X-CSRF-Token" in html  # hx-headers on <body>
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(src).status_code == 200, src
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "nothing from another host"
    for path in ("/search", "/documents", f"/documents/{_parking_doc(app)}/passage?chunk=x"):
        assert signed_in(app, "kim").get(path).headers["cache-control"] == "no-store", path


def test_vendor_assets_are_installed():
    assert not missing_assets(), f"missing {missing_assets()} in {VENDOR_DIR}: run `make setup`"
    licences = [dest for _, _, dest in ASSETS if "LICENSE" in dest]
    assert len(licences) == len({package for package, _, _ in ASSETS})


def test_assets_copied_from_pinned_npm_packages_with_licences(tmp_path, caplog):
    import json

    from serving.web_assets import NODE_MODULES, copy_assets, warn_if_missing

    empty = tmp_path / "empty"
    with caplog.at_level("WARNING"):
        assert warn_if_missing(empty) == [dest for _, _, dest in ASSETS]
    assert "make setup" in caplog.text
    pins = json.loads((NODE_MODULES.parent / "package.json").read_text())["dependencies"]
    copied = copy_assets(vendor_dir=tmp_path / "vendor")
    assert {dest for _, _, dest in ASSETS} == set(copied)
    for dest, origin in copied.items():
        package, _, version = origin.rpartition("@")
        assert pins[package] == version, "only the pinned version is copied"
        assert (tmp_path / "vendor" / dest).stat().st_size > 0
    assert not missing_assets(tmp_path / "vendor")


def test_navigation_by_role(app):
    staff = signed_in(app, "kim").get("/search").text
    admin = signed_in(app, "root").get("/search").text
    for html in (staff, admin):
        assert 'data-testid="nav-search"' in html and 'data-testid="nav-documents"' in html
    for testid in ("admin", "audit", "usage"):  # 관리, 감사 로그, AI 활용 현황
        assert f'data-testid="nav-{testid}"' in admin
        assert f'data-testid="nav-{testid}"' not in staff
    for item in NAV_ITEMS:  # entries of pages that do not exist yet are never links
        if f'data-testid="nav-{item.testid}"' in admin:
            assert signed_in(app, "root").get(item.url).status_code == 200, item.url
    assert 'aria-current="page"' in staff.split('data-testid="nav-search"')[1][:40]


def test_nav_list_filters_roles_and_missing_routes():
    from control_tower.domain import Principal, Role

    staff = Principal(username="a", department=DEPT_A, roles={Role.staff})
    admin = Principal(username="b", roles={Role.admin})
    assert [i.url for i in nav_for(staff)] == ["/search", "/documents", "/chat", "/review"]
    assert {"/admin", "/admin/audit", "/usage"} <= {i.url for i in nav_for(admin)}
    assert [i.url for i in nav_for(admin, lambda url: url == "/search")] == ["/search"]
    assert nav_for(Principal.anonymous()) == []


# --- search ---------------------------------------------------------------------------------
def test_search_page_shows_results_with_location_and_marks(app, ui_settings, root_dir):
    r = signed_in(app, "kim").get("/search", params={"q": PARKING})
    assert r.status_code == 200
    html = r.text
    assert html.count('data-testid="search-result"') >= 1
    assert "주차장 확충 계획" in html and "<mark>" in html
    assert re.search(r'href="/documents/[0-9a-f]+/passage\?chunk=', html)
    assert 'id="search-query"' in html and f'value="{PARKING}"' in html
    _no_server_paths(html, ui_settings, root_dir)
    events = [e for e in AuditLog(app.state.services.store).read() if e.event == "search"]
    assert events[-1].surface == "web" and events[-1].username == "kim"
    assert events[-1].details["results"]


def test_search_respects_access_and_filters(app):
    park = signed_in(app, "park")
    html = park.get("/search", params={"q": PARKING}).text
    assert "주차장 확충 계획" not in html  # department-only document of 교통정책과
    options = re.findall(
        r'<option value="([^"]*)"', html.split('id="filter-department"')[1].split("</select>")[0]
    )
    assert DEPT_B in options and DEPT_A in options  # DEPT_A: the internal (failed) document
    kim = signed_in(app, "kim")
    only_b = kim.get("/search", params={"q": PARKING, "department": DEPT_B}).text
    assert "주차장 확충 계획" not in only_b  # the filter holds (dense may still find 복지 안내)
    assert f'<option value="{DEPT_B}" selected>' in only_b
    pdf_only = kim.get("/search", params={"q": PARKING, "doc_type": "pdf"}).text
    assert 'data-testid="search-result"' not in pdf_only  # the only PDF failed to parse
    assert 'data-testid="search-empty"' in pdf_only


def test_search_htmx_partial_and_korean_errors(app):
    kim = signed_in(app, "kim")
    part = kim.get("/search", params={"q": PARKING}, headers={"HX-Request": "true"})
    assert "<html" not in part.text and 'data-testid="search-result"' in part.text
    assert 'hx-swap-oob="innerHTML"' in part.text
    restore = kim.get(  # back/forward without htmx's cache: the whole page
        "/search",
        params={"q": PARKING},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text and "hx-swap-oob" not in restore.text
    long = kim.get("/search", params={"q": "가" * 1001})
    assert long.status_code == 200 and "검색어가 너무 깁니다" in long.text
    bad_date = kim.get("/search", params={"q": PARKING, "date_from": "2025-13-40"})
    assert "YYYY-MM-DD" in bad_date.text
    backwards = kim.get(
        "/search", params={"q": PARKING, "date_from": "2025-02-01", "date_to": "2025-01-01"}
    )
    assert "시작 날짜가 끝 날짜보다 늦습니다" in backwards.text
    empty = kim.get("/search", params={"q": PARKING, "date_from": "2099-01-01"}).text
    assert 'data-testid="search-empty"' in empty and "다른 낱말" in empty


def test_snippet_text_from_documents_is_escaped(env, tmp_path):
    from ingest.pipeline import ingest_paths

    app, settings, store, index, _ = env
    evil = _write(tmp_path, "악성.txt", f"{PARKING} 안내 <script>alert(1)</script> <img src=x>")
    ingest_paths([evil], settings, department=DEPT_A, store=store, index=index)
    index.sparse.wait_for_refresh(timeout=30)
    html = signed_in(app, "kim").get("/search", params={"q": f"{PARKING} 안내"}).text
    assert "<script>alert" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;" in html
    evil_item = next(li for li in html.split('data-testid="search-result"')[1:] if "악성" in li)
    passage = signed_in(app, "kim").get(_first_result_link(evil_item)).text
    assert "<script>alert" not in passage and "&lt;script&gt;" in passage
    assert "<mark>" in passage


# --- passage in context ---------------------------------------------------------------------
def _first_result_link(html: str) -> str:
    return (
        re.search(r'href="(/documents/[0-9a-f]+/passage\?[^"]+)"', html)
        .group(1)
        .replace("&amp;", "&")
    )


def test_passage_page_shows_cited_chunk_with_neighbours(app, ui_settings, root_dir):
    kim = signed_in(app, "kim")
    link = _first_result_link(kim.get("/search", params={"q": f"{PARKING} 3-2항"}).text)
    r = kim.get(link)
    assert r.status_code == 200
    html = r.text
    assert html.count('data-testid="cited-passage"') == 1 and 'id="cited"' in html
    assert html.count('class="passage-part') >= 2  # neighbours around the cited chunk
    assert "주차장 확충 계획" in html and "인용된 부분" in html
    cited = html.split('data-testid="cited-passage"')[1].split("</li>")[0]
    assert f"<mark>{PARKING}</mark>" in cited  # the searched words, marked in the cited part
    assert "<mark>" not in html.split('data-testid="cited-passage"')[0]  # not in neighbours
    _no_server_paths(html, ui_settings, root_dir)


def test_passage_of_unreadable_document_is_404_like_unknown(app):
    doc_id = _parking_doc(app)
    chunk = f"{doc_id}:1:0"
    assert (
        signed_in(app, "kim")
        .get(f"/documents/{doc_id}/passage", params={"chunk": chunk})
        .status_code
        == 200
    )
    park = signed_in(app, "park")
    forbidden = park.get(f"/documents/{doc_id}/passage", params={"chunk": chunk})
    unknown = park.get("/documents/0000000000/passage", params={"chunk": "0000000000:1:0"})
    assert forbidden.status_code == unknown.status_code == 404
    assert PARKING not in forbidden.text and "주차장 확충 계획" not in forbidden.text
    assert forbidden.text.replace(doc_id, "X") == unknown.text.replace("0000000000", "X")
    # a chunk id of another document cannot be smuggled in under a readable doc id
    other = next(
        r.doc_id for r in app.state.services.store.list_documents() if r.department == DEPT_B
    )
    assert park.get(f"/documents/{other}/passage", params={"chunk": chunk}).status_code == 404


def test_restricted_document_only_for_its_allow_list(app):
    doc_id = next(r.doc_id for r in app.state.services.store.list_documents() if "비밀" in r.title)
    park, kim = signed_in(app, "park"), signed_in(app, "kim")
    found = park.get("/search", params={"q": SECRET}).text
    assert "비밀 협상" in found
    link = _first_result_link(found)
    assert doc_id in link and park.get(link).status_code == 200
    # kim owns the department but is not on the allow-list: nowhere on any page
    assert kim.get(link).status_code == 404
    for page in (kim.get("/search", params={"q": SECRET}).text, kim.get("/documents").text):
        assert "비밀 협상" not in page and "평당 비공개" not in page
        assert doc_id not in page


# --- documents ------------------------------------------------------------------------------
def test_documents_page_lists_readable_documents_in_korean(app, ui_settings, root_dir):
    kim = signed_in(app, "kim").get("/documents").text
    assert "주차장 확충 계획" in kim and "복지 안내" in kim and "깨진 문서" in kim
    assert "부서 한정" in kim and "내부" in kim
    row = kim.split("깨진 문서")[1].split("</tr>")[0]
    assert "실패" in row or "건너뜀" in row
    assert re.search(r'class="reason">[^<]*[가-힣]', row), "the Korean reason is shown"
    assert 'id="upload-files"' in kim and "multiple" in kim.split('id="upload-files"')[1][:80]
    depts = re.findall(
        r'<option value="([^"]*)"', kim.split('id="upload-department"')[1].split("</select>")[0]
    )
    assert depts == [DEPT_A]  # staff upload for their own department only
    _no_server_paths(kim, ui_settings, root_dir)
    park = signed_in(app, "park").get("/documents").text
    assert "주차장 확충 계획" not in park and "복지 안내" in park
    root = signed_in(app, "root").get("/documents").text
    root_depts = root.split('id="upload-department"')[1].split("</select>")[0]
    assert DEPT_A in root_depts and DEPT_B in root_depts


def test_documents_htmx_partial_is_the_table_only(app):
    part = signed_in(app, "kim").get("/documents", headers={"HX-Request": "true"}).text
    assert "<html" not in part and 'data-testid="documents-table"' in part


def _row(html: str, title: str) -> str:
    return html.split(f'<th scope="row" class="doc-title">{title}</th>')[1].split("</tr>")[0]


def test_reingest_and_delete_only_for_admin_and_owning_department(app):
    kim = signed_in(app, "kim").get("/documents").text
    assert 'data-action="delete"' in _row(kim, "주차장 확충 계획")  # kim's department
    assert 'data-action="reingest"' in _row(kim, "주차장 확충 계획")
    assert "data-action" not in _row(kim, "복지 안내")  # readable, but 복지정책과's
    root = signed_in(app, "root").get("/documents").text
    assert 'data-action="delete"' in _row(root, "복지 안내")
    park = signed_in(app, "park").get("/documents").text
    assert 'data-action="delete"' in _row(park, "복지 안내")


def test_upload_form_posts_a_batch_to_the_jobs_api(app):
    html = signed_in(app, "kim").get("/documents", params={"job": "abc"}).text
    form = html.split('id="upload-form"')[1].split("</form>")[0]
    assert 'action="/api/v1/documents"' in form and 'name="files"' in form
    for field in ("upload-department", "upload-access", "upload-allowed-users"):
        assert f'<label for="{field}"' in form
    assert 'id="upload-progress"' in html and 'aria-live="polite"' in html


def test_documents_list_is_paged(app, monkeypatch):
    from serving.routers import ui_documents

    monkeypatch.setattr(ui_documents, "PAGE_SIZE", 2)
    kim = signed_in(app, "kim")
    first = kim.get("/documents").text
    assert first.count('data-testid="document-row"') == 2
    assert 'data-testid="documents-next"' in first and 'data-testid="documents-prev"' not in first
    last = kim.get("/documents", params={"page": 999}).text  # past the end: the last page
    assert 'data-testid="documents-prev"' in last and 'data-testid="documents-next"' not in last
    assert 1 <= last.count('data-testid="document-row"') <= 2


def test_markdown_tables_in_passages_become_escaped_tables():
    from serving.templating import templates
    from serving.text_blocks import split_blocks

    table = "| 구분 | 내용 |\n|---|---|\n| 사업명 | AI <b>신호</b> |\n| 기간 | 2025 |"
    text = f"사업 개요\n\n{table}\n\n| 표 아님"
    blocks = split_blocks(text)
    assert [b.kind for b in blocks] == ["text", "table", "text"]
    assert blocks[1].header == ["구분", "내용"] and blocks[1].rows[0] == [
        "사업명",
        "AI <b>신호</b>",
    ]
    assert blocks[2].text == "| 표 아님"  # one pipe line without a separator stays text
    assert split_blocks("줄 하나\n둘째 줄") == [
        blocks[0].model_copy(update={"text": "줄 하나\n둘째 줄"})
    ]
    html = templates.get_template("documents/passage.html").render(
        passage={
            "title": "t",
            "department": "d",
            "doc_type": "md",
            "parts": [{"chunk": {}, "text": text, "cited": True}],
        },
        q="",
        request=None,
        static_url=lambda p: p,
    )
    assert '<table class="passage-table">' in html and '<th scope="col">구분</th>' in html
    assert "AI &lt;b&gt;신호&lt;/b&gt;" in html and "<b>신호" not in html
