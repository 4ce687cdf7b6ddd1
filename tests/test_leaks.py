"""Leak tests over every surface of the web app: a user never sees text or facts (titles
included) of a document they may not read, nor a server file path unless they are an admin.

One real app for the module: documents of every access level uploaded through the real API
(each upload a real ingest job), real sessions for staff of two departments, a department
head, the AI division, an admin, two users of a third department (one on a restricted
allow-list), a disabled user and an anonymous visitor. Every GET route of the app is
requested as each of them — pages, HTMX partials, JSON, SSE and CSV — and the bodies are
searched for the secret markers of each unreadable document. Direct ids of unreadable
documents and of other users' jobs must answer exactly like unknown ids (dify#19249).

``test_every_get_route_is_covered`` fails when a new GET route appears that this module does
not request, so a new surface cannot ship without its leak test.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from tests.auth_helpers import api_key, login, make_user
from tests.upload_helpers import upload, wait_job

DEPT_A, DEPT_B, DEPT_C = "교통정책과", "복지정책과", "기획예산과"
DEPT_AI, DEPT_IT = "AI혁신과", "정보통신과"
COMMON = "포항시 교량 안전 점검 예산 집행 계획"

# key -> (owner department, access, uploader, extra form fields, Korean topic words)
DOCS = {
    "pub": (DEPT_A, "public", "lee", {}, "해바라기 축제 안내"),
    "int": (DEPT_A, "internal", "lee", {}, "청사 주차 배정 기준"),
    "depta": (DEPT_A, "department", "lee", {}, "버스 보조금 정산 내역"),
    "deptb": (DEPT_B, "department", "park", {}, "수급자 사례관리 명단"),
    "ruser": (DEPT_C, "restricted", "kim", {}, "감사 소명 초안 검토"),
    "rdept": (DEPT_A, "restricted", "root", {"allowed_departments": DEPT_C}, "예산 한도 모의"),
}
# who may read what (written out, not computed with the code under test)
READABLE = {
    "anonymous": {"pub"},
    "lee": {"pub", "int", "depta"},
    "park": {"pub", "int", "deptb"},
    "boss": {"pub", "int", "deptb"},
    "ai": {"pub", "int"},
    "kim": {"pub", "int", "ruser", "rdept"},
    "choi": {"pub", "int", "rdept"},
    "gone": {"pub"},  # disabled: no better than anonymous
    "root": set(DOCS),
}
USERS = {  # username -> (department, roles)
    "lee": (DEPT_A, ["staff"]),
    "park": (DEPT_B, ["staff"]),
    "boss": (DEPT_B, ["dept_head"]),
    "ai": (DEPT_AI, ["ai_division"]),
    "kim": (DEPT_C, ["staff"]),
    "choi": (DEPT_C, ["staff"]),
    "gone": (DEPT_B, ["staff", "dept_head"]),
    "root": (DEPT_IT, ["admin"]),
}
PRINCIPALS = ["anonymous", *USERS]


def title_marker(key: str) -> str:
    return f"qz{key}title"


def body_marker(key: str) -> str:
    return f"qz{key}body"


def file_name(key: str) -> str:
    return f"{key} 보고서 {title_marker(key)}.txt"


def body(key: str) -> bytes:
    """Text with a project overview, so every document also becomes a registry card whose
    name and goal carry its secret markers."""
    topic = DOCS[key][4]
    return (
        f"{COMMON}. {topic} 관련 내부 자료입니다. 식별 표지 {body_marker(key)} 를 포함합니다.\n\n"
        f"{topic}에 대한 세부 검토 결과 {body_marker(key)} 항목은 담당자만 확인합니다.\n\n"
        f"□ 사업개요\n○ 사업명: {topic} 교량 점검 플랫폼 {title_marker(key)}\n"
        "○ 사업기간: 2026. 3. ~ 2027. 12.\n○ 사업비: 총 10억원 (국비 5억, 시비 5억)\n"
        f"○ 사업목적: {body_marker(key)} 교량 점검 데이터를 통합 데이터 플랫폼에 적재한다.\n"
    ).encode()


@pytest.fixture(scope="module")
def world(tmp_path_factory, models_dir, embedder):
    """The app, one session client per user, the uploaded documents and their jobs."""
    from control_tower import accounts
    from control_tower.index.bm25_backend import BM25ChunkIndex
    from control_tower.index.chroma_backend import ChromaChunkIndex
    from control_tower.index.facade import Index
    from control_tower.settings import Settings
    from control_tower.store import open_store
    from serving.app import create_app

    root = tmp_path_factory.mktemp("leaks")
    settings = Settings(
        _env_file=None,
        data_dir=root / "data",
        models_dir=models_dir,
        database_url=f"sqlite:///{root / 'data' / 'ct.db'}",
        max_file_mb=1,
        chat_use_llm=False,  # no LLM server here: answers are computed facts and quotes
    )
    settings.data_dir.mkdir(parents=True)
    store = open_store(settings)
    index = Index(ChromaChunkIndex(settings, embedder), BM25ChunkIndex(settings))
    app = create_app(settings)
    app.state.services.__dict__["store"] = store  # one embedding model load per session
    app.state.services.__dict__["index"] = index
    for name, (dept, roles) in USERS.items():
        make_user(store, name, dept, roles, display_name=f"{name} 님")
    keys = {name: api_key(store, name) for name in USERS}
    with TestClient(app, follow_redirects=False) as main:  # lifespan: the job consumer runs
        docs, jobs = {}, {}
        for key, (dept, access, uploader, extra, _topic) in DOCS.items():
            r = upload(
                main,
                [(file_name(key), body(key))],
                keys[uploader],
                department=dept,
                access=access,
                **extra,
            )
            assert r.status_code == 202, r.text
            job = wait_job(main, r.json()["job_id"], keys[uploader])
            item = job["items"][0]
            assert item["status"] == "indexed", job
            docs[key] = item["data"]["doc_id"]
            jobs[key] = (job["job_id"], uploader, r.text)
        # a re-ingest job of park's department document (its title is in the job title)
        r = main.post(f"/api/v1/documents/{docs['deptb']}/reingest", headers=keys["park"])
        assert r.status_code == 202, r.text
        wait_job(main, r.json()["job_id"], keys["park"])
        jobs["reingest"] = (r.json()["job_id"], "park", r.text)
        index.sparse.wait_for_refresh(timeout=30)

        clients, csrf = {"anonymous": TestClient(app, follow_redirects=False)}, {}
        for name in USERS:
            c = TestClient(app, follow_redirects=False)
            csrf[name] = login(c, name)
            clients[name] = c
        # a session and a key that existed before the account was disabled stop working
        accounts.set_disabled(store, "gone", True)
        world = {
            "app": app,
            "settings": settings,
            "store": store,
            "root": root,
            "docs": docs,
            "jobs": jobs,
            "clients": clients,
            "csrf": csrf,
            "keys": keys,
        }
        # the registry over these documents: every one is a card (their links too)
        from control_tower.registry.build import build_registry

        world["registry"] = build_registry(settings, store, use_llm=False)
        world["drafts"] = _ideas_and_drafts(settings, store, index.embedder)
        world["conversations"] = _conversations(app, store)
        # every user searches once from the page and once from the API: audit + usage rows
        for c in clients.values():
            c.get("/search", params={"q": COMMON})
            c.get("/api/v1/search", params={"q": COMMON})
        yield world
    store.close()


def _ideas_and_drafts(settings, store, embedder) -> dict[str, str]:  # noqa: ANN001
    """The admin accepts a proposal of each department (computed over every document), then
    the AI division and the admin each draft a roadmap: user → draft id."""
    from control_tower.accounts import get_user
    from control_tower.ideation.service import decide, ideas_for
    from control_tower.roadmap.service import draft_roadmap
    from control_tower.roadmap.types import Guidance

    root = get_user(store, "root").principal()
    for dept in (DEPT_A, DEPT_B, DEPT_C):
        proposals = ideas_for(settings, store, root, dept, top=2, embedder=embedder)
        if proposals:
            decide(store, root, proposals[0].id, "채택")
    g = Guidance(from_year=2026, to_year=2030)
    return {
        name: draft_roadmap(settings, store, get_user(store, name).principal(), g,
                            use_llm=False).draft_id
        for name in ("ai", "root")
    }  # fmt: skip


def _conversations(app, store) -> dict[str, str]:  # noqa: ANN001
    """Every active user asks the assistant about each document's topic and their own
    department's budget, in one conversation: user → conversation id. The check then opens
    every conversation as everyone (owners see theirs; others must get the not-found page)."""
    import asyncio

    from control_tower.accounts import get_user

    service = app.state.services.chat
    questions = [f"{DOCS[k][4]} 내용을 알려 주세요" for k in DOCS] + ["우리 과 사업 예산 합계는?"]
    out: dict[str, str] = {}
    for name in USERS:
        if name == "gone":  # disabled before this point
            continue
        principal = get_user(store, name).principal()
        for q in questions:
            answer = asyncio.run(service.aask(principal, q, conversation_id=out.get(name)))
            out[name] = answer.conversation_id
    return out


def _secrets(key: str) -> list[str]:
    title = file_name(key)[: -len(".txt")]
    return [title_marker(key), body_marker(key), title, quote(title), json.dumps(title)[1:-1]]


def _server_paths(w) -> list[str]:
    data = w["settings"].data_dir
    return sorted({str(data), str(data.resolve()), str(w["root"]), str(w["root"].resolve())})


def _problems(w, user: str, label: str, text: str, *, paths: bool = True) -> list[str]:
    found = []
    for key in set(DOCS) - READABLE[user]:
        for secret in _secrets(key):
            if secret in text:
                found.append(f"{label}: {key!r} secret {secret!r}")
    if paths and user != "root":
        for p in _server_paths(w):
            if p in text:
                found.append(f"{label}: server path {p!r}")
    return found


# --- the surfaces --------------------------------------------------------------------------
SEARCH_QUERIES = [COMMON, *(DOCS[k][4] for k in DOCS), "qz 보고서"]


def _get_surfaces(w) -> list[tuple[str, dict, dict]]:
    """(url, params, headers) for every GET surface, filled with real ids."""
    docs, jobs = w["docs"], w["jobs"]
    hx = {"HX-Request": "true"}
    out: list[tuple[str, dict, dict]] = [
        ("/", {}, {}),
        ("/healthz", {}, {}),
        ("/readyz", {}, {}),
        ("/login", {}, {}),
        ("/login", {"next": "/documents"}, {}),
        ("/setup", {}, {}),
        ("/password", {}, {}),
        ("/account/password", {}, {}),
        ("/account/api-keys", {}, {}),
        ("/api/openapi.json", {}, {}),
        ("/api/docs", {}, {}),
        ("/redoc", {}, {}),
        ("/docs/oauth2-redirect", {}, {}),
        ("/api/v1/me", {}, {}),
        ("/api/v1/me/api-keys", {}, {}),
        ("/search", {}, {}),
        ("/documents", {}, {}),
        ("/documents", {}, hx),
        ("/api/v1/documents", {}, {}),
        ("/api/v1/documents", {"status": "indexed"}, {}),
        ("/api/v1/documents", {"department": DEPT_A}, {}),
        ("/api/v1/jobs", {}, {}),
        ("/api/v1/jobs", {"mine": "true"}, {}),
        ("/api/v1/jobs", {"kind": "reingest"}, {}),
        ("/admin", {}, {}),
        ("/admin/users", {}, {}),
        ("/admin/departments", {}, {}),
        ("/admin/api-keys", {}, {}),
        ("/admin/audit", {}, {}),
        ("/admin/audit", {"event": "search"}, {}),
        ("/admin/audit", {"event": "upload"}, {}),
        ("/api/v1/admin/users", {}, {}),
        ("/api/v1/admin/departments", {}, {}),
        ("/api/v1/admin/api-keys", {}, {}),
        ("/api/v1/admin/audit", {"per_page": 200}, {}),
        ("/api/v1/admin/audit.csv", {}, {}),
        ("/usage", {}, {}),
        ("/usage", {"measure": "documents"}, {}),
        ("/api/v1/usage", {}, {}),
        ("/registry", {}, {}),
        ("/registry", {"q": COMMON}, hx),
        ("/registry/p-unknown", {}, {}),
        ("/links", {}, {}),
        ("/links/detail", {"a": "p-x", "b": "p-y", "type": "중복"}, hx),
        ("/links/rationale", {"a": "p-x", "b": "p-y", "type": "중복"}, hx),
        ("/links/duplicates", {}, {}),
        ("/links/platforms", {}, {}),
        ("/review", {}, {}),
    ]
    for q in SEARCH_QUERIES:
        out.append(("/search", {"q": q}, {}))
        out.append(("/search", {"q": q}, hx))
        for mode in ("hybrid", "sparse", "dense"):
            out.append(("/api/v1/search", {"q": q, "mode": mode, "k": 50}, {}))
    out.append(("/search", {"q": COMMON, "department": DEPT_B}, {}))
    out.append(("/api/v1/search", {"q": COMMON, "department": DEPT_B}, {}))
    for doc_id in docs.values():
        version = w["store"].get_document(doc_id).version
        out.append((f"/api/v1/documents/{doc_id}", {}, {}))
        out.append((f"/api/v1/documents/{doc_id}/versions", {}, {}))
        out.append(
            (f"/documents/{doc_id}/passage", {"chunk": f"{doc_id}:{version}:0", "q": "x"}, {})
        )
    for job_id, _owner, _text in jobs.values():
        out.append((f"/api/v1/jobs/{job_id}", {}, {}))
        out.append((f"/api/v1/jobs/{job_id}/events", {}, {}))
        out.append(("/documents", {"job": job_id}, {}))
    out.append(("/api/v1/registry", {}, {}))
    out.append(("/api/v1/registry", {"department": DEPT_B}, {}))
    out.append(("/api/v1/links", {}, {}))
    out.append(("/api/v1/links", {"department": DEPT_B}, {}))
    from control_tower.registry.repo import RegistryRepo

    repo = RegistryRepo(w["store"])
    for card in repo.cards():
        out.append((f"/api/v1/registry/{card.id}", {}, {}))
    for link in repo.links():
        out.append(("/api/v1/links/detail", {"a": link.a, "b": link.b}, {}))
    for name in USERS:
        out.append((f"/admin/users/{name}", {}, {}))
        out.append((f"/api/v1/admin/users/{name}", {}, {}))
    out += [("/api/v1/roadmaps", {}, {}), ("/roadmap", {}, {}), ("/ideas", {}, {})]
    for dept in (DEPT_A, DEPT_B, DEPT_C):
        out.append(("/api/v1/ideas", {"department": dept}, {}))
        out.append(("/ideas", {"department": dept}, {}))
    out += [("/chat", {}, {}), ("/api/v1/conversations", {}, {}), ("/v1/models", {}, {})]
    for cid in w["conversations"].values():
        out += [
            (f"/chat/{cid}", {}, {}),
            (f"/chat/{cid}/last", {}, {}),
            (f"/api/v1/conversations/{cid}", {}, {}),
        ]
    for draft_id in w["drafts"].values():
        out += [
            (f"/api/v1/roadmaps/{draft_id}", {}, {}),
            (f"/api/v1/roadmaps/{draft_id}/versions", {}, {}),
            (f"/api/v1/roadmaps/{draft_id}/diff", {"a": 1, "b": 1}, {}),
            (f"/api/v1/roadmaps/{draft_id}/export", {"format": "md"}, {}),
            (f"/roadmap/{draft_id}", {}, {}),
            (f"/roadmap/{draft_id}/diff", {"a": 1, "b": 1}, {}),
            (f"/roadmap/{draft_id}/export", {"format": "md"}, {}),
        ]
    return out


COVERED_GET_ROUTES = {
    "/",
    "/healthz",
    "/readyz",
    "/login",
    "/setup",
    "/password",
    "/account/password",
    "/account/api-keys",
    "/api/openapi.json",
    "/api/docs",
    "/redoc",
    "/docs/oauth2-redirect",
    "/api/v1/me",
    "/api/v1/me/api-keys",
    "/search",
    "/api/v1/search",
    "/documents",
    "/documents/{doc_id}/passage",
    "/api/v1/documents",
    "/api/v1/documents/{doc_id}",
    "/api/v1/documents/{doc_id}/versions",
    "/api/v1/jobs",
    "/api/v1/jobs/{job_id}",
    "/api/v1/jobs/{job_id}/events",
    "/admin",
    "/admin/users",
    "/admin/users/{username}",
    "/admin/departments",
    "/admin/api-keys",
    "/admin/audit",
    "/api/v1/admin/users",
    "/api/v1/admin/users/{username}",
    "/api/v1/admin/departments",
    "/api/v1/admin/api-keys",
    "/api/v1/admin/audit",
    "/api/v1/admin/audit.csv",
    "/usage",
    "/api/v1/usage",
    "/api/v1/registry",
    "/api/v1/registry/{card_id}",
    "/api/v1/links",
    "/api/v1/links/detail",
    # registry pages (their own leak tests with registry cards: tests/test_registry_pages.py)
    "/registry",
    "/registry/{card_id}",
    "/links",
    "/links/detail",
    "/links/rationale",
    "/links/duplicates",
    "/links/platforms",
    "/review",
    # ideas and roadmaps (drafts by the AI division and by the admin, over every document)
    "/api/v1/ideas",
    "/ideas",
    "/api/v1/roadmaps",
    "/api/v1/roadmaps/{draft_id}",
    "/api/v1/roadmaps/{draft_id}/versions",
    "/api/v1/roadmaps/{draft_id}/diff",
    "/api/v1/roadmaps/{draft_id}/export",
    "/roadmap",
    "/roadmap/{draft_id}",
    "/roadmap/{draft_id}/diff",
    "/roadmap/{draft_id}/export",
    # the assistant: every user's conversation, opened by everyone
    "/chat",
    "/chat/{conversation_id}",
    "/chat/{conversation_id}/last",
    "/api/v1/conversations",
    "/api/v1/conversations/{conversation_id}",
    "/v1/models",
}

# Routes whose server-path check is left to a dedicated test (none today).
KNOWN_PATH_LEAKS: set[str] = set()


def test_every_get_route_is_covered(world):
    routes = {
        c.path
        for c in iter_route_contexts(world["app"].routes)
        if "GET" in (c.methods or set()) and not c.path.startswith("/static")
    }
    assert routes - COVERED_GET_ROUTES == set(), "GET routes without a leak test"


def _fetch(w, user: str, url: str, params: dict, headers: dict) -> str:
    r = w["clients"][user].get(url, params=params, headers=headers)
    assert r.status_code < 500, f"{user} GET {url} {params}: {r.status_code} {r.text[:300]}"
    return r.text + "\n" + "\n".join(f"{k}: {v}" for k, v in r.headers.items())


@pytest.mark.parametrize("user", PRINCIPALS)
def test_no_secret_or_server_path_on_any_get_surface(world, user):
    problems = []
    for url, params, headers in _get_surfaces(world):
        text = _fetch(world, user, url, params, headers)
        label = f"GET {url} {params}"
        problems += _problems(world, user, label, text, paths=url not in KNOWN_PATH_LEAKS)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("user", PRINCIPALS)
def test_search_finds_what_the_user_may_read(world, user):
    """The positive control: without it, the leak test could pass on an empty index."""
    c = world["clients"][user]
    for key in DOCS:
        r = c.get("/api/v1/search", params={"q": DOCS[key][4], "k": 50})
        if user in ("anonymous", "gone"):
            assert r.status_code == 401
            continue
        assert r.status_code == 200, r.text
        found = {h["doc_id"] for h in r.json()["results"]}
        assert (world["docs"][key] in found) == (key in READABLE[user]), (user, key)
    page = c.get("/search", params={"q": DOCS["pub"][4]})
    if user in ("anonymous", "gone"):
        assert page.status_code == 303
    else:
        assert title_marker("pub") in page.text


@pytest.mark.parametrize("user", ["lee", "park", "boss", "ai", "kim", "choi"])
def test_search_api_hides_server_paths(world, user):
    r = world["clients"][user].get("/api/v1/search", params={"q": COMMON, "k": 50})
    assert r.status_code == 200 and r.json()["results"]
    assert _problems(world, user, "search api", r.text) == []


def test_readyz_hides_server_paths_from_anonymous(world):
    r = world["clients"]["anonymous"].get("/readyz")
    assert _problems(world, "anonymous", "readyz", r.text) == []


def test_upload_responses_show_no_server_path(world):
    for job_id, owner, text in world["jobs"].values():
        if owner != "root":
            assert _problems(world, owner, f"upload {job_id}", text) == []


# --- direct ids answer like unknown ids ------------------------------------------------------
def _same(a, b, fake: str, real: str) -> None:
    assert a.status_code == b.status_code, (a.status_code, b.status_code, a.text, b.text)
    assert a.text.replace(real, fake) == b.text, (a.text, b.text)


def _unknown_doc(doc_id: str) -> str:
    return "f" * len(doc_id) if not doc_id.startswith("f") else "e" * len(doc_id)


@pytest.mark.parametrize("user", PRINCIPALS)
def test_unreadable_document_ids_answer_like_unknown_ids(world, user):
    c, docs = world["clients"][user], world["docs"]
    hdr = {"X-CSRF-Token": world["csrf"].get(user, "")}
    before = {k: world["store"].get_document(d).version for k, d in docs.items()}
    for key in set(DOCS) - READABLE[user]:
        real = docs[key]
        fake = _unknown_doc(real)
        ver = before[key]
        for method, path, params in [
            ("GET", "/api/v1/documents/{}", {}),
            ("GET", "/api/v1/documents/{}/versions", {}),
            ("POST", "/api/v1/documents/{}/reingest", {}),
            ("DELETE", "/api/v1/documents/{}", {}),
            ("GET", "/documents/{}/passage", {"chunk": "{}:" + f"{ver}:0"}),
        ]:
            got = [
                c.request(
                    method,
                    path.format(i),
                    params={k: v.format(i) for k, v in params.items()},
                    headers=hdr,
                )
                for i in (real, fake)
            ]
            _same(got[0], got[1], fake, real)
            assert got[0].status_code in (404, 401, 303), (user, method, path, got[0].text)
    # nothing was deleted or re-ingested by those attempts
    assert {k: world["store"].get_document(d).version for k, d in docs.items()} == before


@pytest.mark.parametrize("user", PRINCIPALS)
def test_other_users_job_ids_answer_like_unknown_ids(world, user):
    c = world["clients"][user]
    hdr = {"X-CSRF-Token": world["csrf"].get(user, "")}
    for job_id, owner, _text in world["jobs"].values():
        if owner == user or user == "root":
            continue
        fake = "0" * len(job_id)
        for method, path in [
            ("GET", "/api/v1/jobs/{}"),
            ("GET", "/api/v1/jobs/{}/events"),
            ("POST", "/api/v1/jobs/{}/cancel"),
        ]:
            got = [c.request(method, path.format(i), headers=hdr) for i in (job_id, fake)]
            _same(got[0], got[1], fake, job_id)
            assert got[0].status_code in (404, 401), (user, method, path, got[0].text)
        listed = c.get("/api/v1/jobs")
        assert job_id not in listed.text


@pytest.mark.parametrize("user", ["gone", "anonymous"])
def test_disabled_and_anonymous_get_nothing(world, user):
    """The disabled user's old session cookie and API key are dead: API 401, pages → login."""
    c = world["clients"][user]
    assert c.get("/api/v1/me").status_code == 401
    assert c.get("/documents").status_code == 303
    assert c.get("/api/v1/documents", headers=world["keys"].get(user, {})).status_code == 401


@pytest.mark.parametrize("user", ["lee", "ai", "choi"])
def test_filter_on_a_department_with_only_hidden_documents_looks_like_an_unknown_one(world, user):
    """Filtering on 복지정책과 (only a department-only document, unreadable to these users)
    answers exactly like filtering on a department that does not exist."""
    c = world["clients"][user]
    got = {}
    for dept in (DEPT_B, "없는부서과"):
        api = c.get("/api/v1/search", params={"q": COMMON, "department": dept, "k": 50})
        page = c.get("/search", params={"q": COMMON, "department": dept})
        listed = c.get("/api/v1/documents", params={"department": dept})
        got[dept] = (
            api.status_code,
            api.json()["results"],
            page.status_code,
            page.text.replace(quote(dept), "X").replace(dept, "X"),
            listed.json(),
        )
    assert got[DEPT_B] == got["없는부서과"]


def test_disabled_users_api_key_opens_no_surface(world):
    c = TestClient(world["app"], follow_redirects=False)  # no cookie: only the dead key
    key = world["keys"]["gone"]
    problems = []
    for url, params, headers in _get_surfaces(world):
        r = c.get(url, params=params, headers={**headers, **key})
        assert r.status_code < 500, (url, r.status_code)
        if url.startswith("/api/v1/"):
            assert r.status_code == 401, (url, r.status_code, r.text[:200])
        problems += _problems(world, "gone", f"GET {url} {params}", r.text)
    assert problems == [], "\n".join(problems)


def test_every_document_became_a_registry_card(world):
    """The positive control of the registry surfaces: one card per uploaded document."""
    from control_tower.registry.repo import RegistryRepo

    cards = RegistryRepo(world["store"]).cards()
    assert len(cards) == len(DOCS), [c.name for c in cards]
    assert all(any(title_marker(k) in c.name for c in cards) for k in DOCS)


@pytest.mark.parametrize("user", ["lee", "park", "kim", "choi", "root"])
def test_registry_api_shows_exactly_the_readable_documents_cards(world, user):
    r = world["clients"][user].get("/api/v1/registry")
    assert r.status_code == 200, r.text
    names = " ".join(c["name"] for c in r.json()["cards"])
    for key in DOCS:
        assert (title_marker(key) in names) == (key in READABLE[user]), (user, key)


def test_chat_conversations_quote_secrets_only_to_their_readers(world):
    """Positive control for the chat surfaces: kim's conversation does quote the restricted
    report kim may read (so the sweep above would see a leak), and opens for nobody else."""
    cid = world["conversations"]["kim"]
    mine = world["clients"]["kim"].get(f"/api/v1/conversations/{cid}")
    assert mine.status_code == 200
    assert any(s in mine.text for s in _secrets("ruser")), mine.text[:500]
    for user in ("lee", "park", "boss", "ai", "choi", "root"):
        r = world["clients"][user].get(f"/api/v1/conversations/{cid}")
        assert r.status_code == 404, (user, r.status_code)
        page = world["clients"][user].get(f"/chat/{cid}")
        assert page.status_code == 404 and title_marker("ruser") not in page.text, user


def test_roadmap_drafts_carry_their_sources_and_open_only_to_full_readers(world):
    """Positive control for the roadmap surfaces: the admin's draft does contain the secret
    projects (so the scan above would see a leak), and nobody else can open it."""
    root_draft, ai_draft = world["drafts"]["root"], world["drafts"]["ai"]
    mine = world["clients"]["root"].get(f"/api/v1/roadmaps/{root_draft}")
    assert mine.status_code == 200 and title_marker("ruser") in mine.text
    for user in ("lee", "park", "boss", "ai", "kim"):
        r = world["clients"][user].get(f"/api/v1/roadmaps/{root_draft}")
        assert r.status_code == 404, user
    assert world["clients"]["boss"].get(f"/api/v1/roadmaps/{ai_draft}").status_code == 200
    assert world["clients"]["lee"].get(f"/api/v1/roadmaps/{ai_draft}").status_code == 404
