"""The registry, link and review pages on a real app and a real store: what each role sees,
editing with Korean errors and history, the rebuild job, and leak tests — a department-only
project of 복지정책과 and a restricted project of 정보통신과 never show (by name or field
value) to anyone who may not read their documents, on any page, and no non-admin ever sees a
server path.

The cards are the demo's 35 plan cards (``evals.linker_fixture.demo_cards``: the demo content
as cards, no extraction) stored with the real repo; their documents are store rows with real
access levels; links and clusters are computed by the real linker.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from control_tower.domain import AccessLevel, DocumentMeta
from control_tower.registry.types import FieldValue, ProjectCard
from tests.auth_helpers import login, make_user

WELFARE = "card-welfare-ai-care-call"  # 복지정책과, department-only
ICT = "card-ict-data-platform"  # 정보통신과, restricted (nobody on the allow-list)
MARKERS = {WELFARE: ["qzwelfarekpi", "qzwelfarealias"], ICT: ["qzictkpi", "qzictalias"]}
USERS = {  # username -> (department, roles)
    "a_staff": ("교통정책과", ["staff"]),
    "a_head": ("교통정책과", ["dept_head"]),
    "ai": ("디지털융합산업과", ["ai_division"]),
    "b_head": ("복지정책과", ["dept_head"]),
    "root": ("정보통신과", ["admin"]),
}
SEES = {
    "anonymous": set(),
    "a_staff": set(),
    "a_head": set(),
    "ai": set(),
    "b_head": {WELFARE},
    "root": {WELFARE, ICT},
}
READERS = {"a_head", "ai", "b_head", "root"}  # may open the registry and link pages


def _absolute(card: ProjectCard, base) -> ProjectCard:  # noqa: ANN001
    """Source paths as a server stores them (absolute, under the data folder)."""
    data = card.model_dump(mode="json")
    for values in data["fields"].values():
        for fv in values:
            if fv.get("source"):
                fv["source"]["path"] = str(base / fv["source"]["path"])
    for p in data["passages"]:
        p["source"]["path"] = str(base / p["source"]["path"])
    return ProjectCard.model_validate(data)


def _enriched(card: ProjectCard, i: int) -> ProjectCard:
    """Budget, start year and status as an overview table states them (every third card has
    none, so sorting must put unknown values last)."""
    if i % 3 == 0:
        return card
    src = card.first("name").source
    fields = dict(card.fields)
    for key, value in (
        ("budget_eok", float(10 + (i * 37) % 90)),
        ("start_year", 2023 + i % 4),
        ("status", ("계획", "추진중", "완료")[i % 3]),
    ):
        fields[key] = [FieldValue(value=value, method="table", source=src)]
    return card.model_copy(update={"fields": fields})


def _marked(card: ProjectCard) -> ProjectCard:
    src = card.first("name").source
    kpi, alias = MARKERS[card.id]
    fields = dict(card.fields)
    fields["kpis"] = [FieldValue(value=[kpi], method="table", source=src)]
    fields["aliases"] = [FieldValue(value=[alias], method="rule", source=src)]
    return card.model_copy(update={"fields": fields})


@pytest.fixture(scope="module")
def world(tmp_path_factory, models_dir):
    from control_tower.linker.pipeline import link_map
    from control_tower.registry.repo import RegistryRepo
    from control_tower.settings import Settings
    from control_tower.store import open_store
    from evals.linker_fixture import demo_cards
    from serving.app import create_app

    root = tmp_path_factory.mktemp("registry_pages")
    data = root / "data"
    data.mkdir()
    settings = Settings(
        _env_file=None,
        data_dir=data,
        models_dir=models_dir,
        database_url=f"sqlite:///{data / 'ct.db'}",
        jobs_embedded=False,  # a queued rebuild must not run over the hand-made cards
    )
    store = open_store(settings)
    for name, (dept, roles) in USERS.items():
        make_user(store, name, dept, roles)
    corpus = data / "corpus"
    cards = [_enriched(_absolute(c, corpus), i) for i, c in enumerate(demo_cards())]
    cards = [_marked(c) if c.id in MARKERS else c for c in cards]
    access = {WELFARE: AccessLevel.department, ICT: AccessLevel.restricted}
    for card in cards:
        for src in card.sources():
            store.begin_document(
                DocumentMeta(
                    doc_id=src.doc_id,
                    title=src.title,
                    department=src.department,
                    access_level=access.get(card.id, AccessLevel.internal),
                    source_path=src.path,
                    doc_type=src.path.rsplit(".", 1)[-1],
                    doc_date=src.doc_date,
                    content_hash=f"hash-{src.doc_id}",
                )
            )
            store.mark_indexed(src.doc_id, chunk_count=0, run_id=None)
    links, _ = link_map(cards)
    repo = RegistryRepo(store)
    repo.save_cards(cards)
    repo.replace_links(links)
    app = create_app(settings)
    app.state.services.__dict__["store"] = store
    by_id = {c.id: c for c in cards}
    # A secret's name is a fair leak probe only if no readable card's text contains it.
    for secret in MARKERS:
        others = "\n".join(c.text() for c in cards if c.id not in MARKERS)
        assert by_id[secret].name not in others, by_id[secret].name
    with TestClient(app, follow_redirects=False) as main:
        clients, csrf = {"anonymous": main}, {}
        for name in USERS:
            c = TestClient(app, follow_redirects=False)
            csrf[name] = login(c, name)
            clients[name] = c
        yield {
            "app": app,
            "store": store,
            "settings": settings,
            "cards": by_id,
            "links": links,
            "clients": clients,
            "csrf": csrf,
            "root": root,
        }
    store.close()


def _link(world, a: str, b: str):  # noqa: ANN202
    return next(lk for lk in world["links"] if {lk.a, lk.b} == {a, b})


def _surfaces(world) -> list[tuple[str, dict]]:
    hx = {"HX-Request": "true"}
    dup = _link(world, WELFARE, "card-health-ai-speaker")  # a secret's 중복 partner is public
    hub = _link(world, ICT, "card-ai-city-data-hub")
    out = [
        ("/registry", {}, {}),
        ("/registry", {"q": "어르신"}, hx),
        ("/registry", {"q": "데이터 플랫폼", "sort": "budget", "order": "desc"}, {}),
        ("/registry", {"department": "복지정책과"}, {}),
        ("/registry", {"department": "정보통신과", "sort": "start_year"}, {}),
        ("/links", {}, {}),
        ("/links", {"type": "중복"}, {}),
        ("/links", {"type": "선후", "department": "정보통신과"}, {}),
        ("/links/duplicates", {}, {}),
        ("/links/duplicates", {"department": "보건소"}, {}),
        ("/links/platforms", {}, {}),
        ("/review", {}, {}),
    ]
    for lk in (dup, hub):
        q = {"a": lk.a, "b": lk.b, "type": lk.type}
        out += [("/links/detail", q, hx), ("/links/rationale", q, hx)]
    out += [(f"/registry/{cid}", {}, {}) for cid in world["cards"]]
    return [(u, p, h) for u, p, h in out]


def _secrets(world, user: str) -> list[str]:
    hidden = set(MARKERS) - SEES[user]
    return [s for cid in hidden for s in (*MARKERS[cid], world["cards"][cid].name)]


@pytest.mark.parametrize("user", ["anonymous", *USERS])
def test_no_hidden_project_or_server_path_on_any_registry_page(world, user):
    c = world["clients"][user]
    paths = {str(world["root"]), str(world["settings"].data_dir)}
    problems = []
    for url, params, headers in _surfaces(world):
        r = c.get(url, params=params, headers=headers)
        assert r.status_code < 500, (user, url, r.text[:500])
        for secret in _secrets(world, user):
            if secret in r.text:
                problems.append(f"{url} {params}: {secret!r}")
        if user != "root" and any(p in r.text for p in paths):
            problems.append(f"{url} {params}: server path")
    assert problems == [], "\n".join(problems)


def test_hidden_cards_answer_like_unknown_ones(world):
    a_head, b_head = world["clients"]["a_head"], world["clients"]["b_head"]
    unknown = a_head.get("/registry/card-no-such-thing")
    hidden = a_head.get(f"/registry/{WELFARE}")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.text.replace("card-no-such-thing", "") == hidden.text.replace(WELFARE, "")
    lk = _link(world, WELFARE, "card-health-ai-speaker")
    q = {"a": lk.a, "b": lk.b, "type": lk.type}
    assert a_head.get("/links/detail", params=q).status_code == 404
    # the positive control: the owning department sees the card, the link and its evidence
    own = b_head.get(f"/registry/{WELFARE}")
    assert own.status_code == 200 and "qzwelfarekpi" in own.text
    panel = b_head.get("/links/detail", params=q)
    assert panel.status_code == 200 and panel.text.count('data-testid="evidence-side"') == 2
    assert 'data-testid="evidence-passage"' in panel.text
    assert world["cards"][WELFARE].name in b_head.get("/links/duplicates").text
    root = world["clients"]["root"].get(f"/registry/{ICT}")
    assert "qzictkpi" in root.text and str(world["settings"].data_dir) in root.text  # admin: paths


def test_roles_of_the_pages(world):
    cl = world["clients"]
    for url in ("/registry", "/links", "/links/duplicates", "/links/platforms"):
        assert cl["anonymous"].get(url).status_code == 303
        assert cl["a_staff"].get(url).status_code == 403
        for user in READERS:
            assert cl[user].get(url).status_code == 200, (user, url)
    for user in USERS:
        assert cl[user].get("/review").status_code == 200
        nav = cl[user].get("/review").text
        assert ('data-testid="nav-registry"' in nav) == (user in READERS)
        assert 'data-testid="nav-review"' in nav


def test_registry_table_filters_and_sorts(world):
    c = world["clients"]["ai"]
    html = c.get("/registry", params={"department": "교통정책과", "sort": "name"}).text
    names = re.findall(r'<a href="/registry/card-[^"]+">([^<]+)</a>', html)
    assert names == sorted(names) and len(names) == 3, names
    assert "복지정책과" not in html.split('data-testid="registry-table"')[1]
    html = c.get("/registry", params={"sort": "budget", "order": "desc"}).text
    ids = re.findall(r'data-card-id="([^"]+)"', html)
    budgets = [world["cards"][i].value("budget_eok") for i in ids]
    known = [b for b in budgets if b is not None]
    assert known == sorted(known, reverse=True) and len(known) >= 10
    assert budgets[: len(known)] == known  # cards without a budget come last
    html = c.get("/registry", params={"status": "완료"}).text
    ids = re.findall(r'data-card-id="([^"]+)"', html)
    assert ids and all(world["cards"][i].value("status") == "완료" for i in ids)
    html = c.get("/registry", params={"q": "CCTV"}).text
    assert set(re.findall(r'data-card-id="([^"]+)"', html)) >= {
        "card-traffic-ai-cctv",
        "card-disaster-ai-cctv",
    }
    partial = c.get("/registry", params={"q": "CCTV"}, headers={"HX-Request": "true"}).text
    assert "<html" not in partial and 'data-testid="registry-table"' in partial


def test_registry_table_sort_headers_and_pages(world, monkeypatch):
    from serving.routers import ui_registry

    c = world["clients"]["ai"]
    html = c.get("/registry", params={"sort": "budget", "order": "asc", "status": "추진중"}).text
    head = re.search(r'<a class="sort-link" href="([^"]+)" data-testid="sort-budget">', html)
    url = unquote(head.group(1).replace("&amp;", "&"))
    assert url == "/registry?status=추진중&sort=budget&order=desc"
    assert 'aria-sort="ascending"' in html
    monkeypatch.setattr(ui_registry, "PAGE_SIZE", 10)
    seen = []
    for page in (1, 2, 3, 4):
        html = c.get("/registry", params={"sort": "name", "page": page}).text
        seen += re.findall(r'data-card-id="([^"]+)"', html)
    assert len(seen) == len(set(seen)) == 35 - len(MARKERS)  # each visible card once
    assert 'data-testid="registry-next"' not in html and 'data-testid="registry-prev"' in html


def test_card_page_shows_values_methods_sources_and_edit_form(world):
    html = world["clients"]["ai"].get("/registry/card-traffic-ai-cctv").text
    assert "AI 영상분석 기반 교통안전 시스템 구축" in html
    assert '<span class="method method-table" data-testid="field-method">표</span>' in html
    assert "교통정책과/AI_영상분석_기반_교통안전_시스템_구축_사업계획.hwpx" in html  # location
    assert 'data-testid="edit-form"' in html and 'name="csrf_token"' in html
    assert 'data-testid="card-passages"' in html
    # a department head may edit only the cards their own department leads
    assert (
        'data-testid="edit-form"'
        in world["clients"]["a_head"].get("/registry/card-traffic-ai-cctv").text
    )
    assert (
        'data-testid="edit-form"'
        not in world["clients"]["a_head"].get("/registry/card-tourism-chatbot").text
    )


def test_edit_bad_value_saved_value_history_and_revert(world):
    c, token, card = (
        world["clients"]["a_head"],
        world["csrf"]["a_head"],
        "card-traffic-smart-signal",
    )
    url = f"/registry/{card}/edit"
    bad = c.post(url, data={"csrf_token": token, "field": "budget_eok", "value": "많음"})
    assert bad.status_code == 422
    assert (
        "총사업비 (억원)" in bad.text
        and "올바르지 않습니다" in bad.text
        and "budget_eok'" not in bad.text
    )
    assert 'value="많음"' in bad.text  # the typed value stays in the form
    no_token = c.post(url, data={"field": "budget_eok", "value": "12"})
    assert no_token.status_code == 403
    ok = c.post(url, data={"csrf_token": token, "field": "budget_eok", "value": "77.5"})
    assert ok.status_code == 303 and ok.headers["location"].startswith(f"/registry/{card}?saved=")
    html = c.get(ok.headers["location"]).text
    assert 'data-testid="edit-saved"' in html and "77.5억원" in html
    assert 'data-testid="history-row"' in html and "a_head" in html
    c.post(url, data={"csrf_token": token, "field": "budget_eok", "action": "revert"})
    html = c.get(f"/registry/{card}").text
    assert "a_head 님이 취소" in html
    row = html.split('data-field="budget_eok"')[1].split("</li>")[0]
    assert "77.5억원" not in row and 'data-testid="edit-revert"' not in row
    from control_tower.audit import AuditLog

    edits = [e for e in AuditLog(world["store"]).read() if e.event == "registry_edit"]
    assert [(e.target, e.username, e.surface) for e in edits[-2:]] == [(card, "a_head", "web")] * 2
    other = c.post(
        "/registry/card-tourism-chatbot/edit",
        data={"csrf_token": token, "field": "status", "value": "완료"},
    )
    assert other.status_code == 403 and "권한이 없습니다" in other.text


def test_rebuild_is_queued_as_a_job_for_the_ai_division_only(world):
    ai, head = world["clients"]["ai"], world["clients"]["a_head"]
    html = ai.get("/registry").text
    assert 'data-testid="registry-build"' in html
    assert 'data-testid="registry-build"' not in head.get("/registry").text
    r = ai.post("/registry/build", headers={"X-CSRF-Token": world["csrf"]["ai"]})
    assert r.status_code == 202, r.text
    job = ai.get(f"/api/v1/jobs/{r.json()['job_id']}").json()
    assert job["kind"] == "registry_build" and job["state"] == "queued"
    refused = head.post("/registry/build", headers={"X-CSRF-Token": world["csrf"]["a_head"]})
    assert refused.status_code == 403 and refused.json()["detail"]["code"] == "forbidden"


def test_link_map_embeds_graph_json_with_directed_prerequisites(world):
    import json

    html = world["clients"]["ai"].get("/links").text
    raw = re.search(r'<script type="application/json" id="linkmap-data">(.*?)</script>', html, re.S)
    graph = json.loads(raw.group(1))
    nodes = {e["data"]["id"]: e["data"] for e in graph["elements"] if "source" not in e["data"]}
    edges = [e["data"] for e in graph["elements"] if "source" in e["data"]]
    assert WELFARE not in nodes and ICT not in nodes  # ai may read neither
    assert {e["type"] for e in edges} == {"중복", "연계", "선후"}
    assert any(n["kind"] == "cluster" for n in nodes.values())
    assert all(n.get("parent") in nodes for n in nodes.values() if n.get("parent"))
    seq = {(e["source"], e["target"]) for e in edges if e["type"] == "선후"}
    assert ("card-ict-gpu-cloud", "card-ai-civil-chatbot") in seq  # prerequisite → dependent
    assert "/static/vendor/cytoscape.min.js" in html and "cdn" not in html.lower()


def test_review_page_verdict_and_no_hidden_match(world, tmp_path):
    from control_tower.demo.proposals import write_proposals

    files = {p.name: p for p in write_proposals(tmp_path)}
    plan = files["도시_빅데이터_통합_플랫폼_구축_사업계획.hwpx"]
    results = {}
    for user in ("a_staff", "root"):
        c = world["clients"][user]
        r = c.post(
            "/review",
            files={"file": (plan.name, plan.read_bytes(), "application/octet-stream")},
            headers={"X-CSRF-Token": world["csrf"][user], "HX-Request": "true"},
        )
        assert r.status_code == 200, r.text[:500]
        results[user] = r.text
    staff, admin = results["a_staff"], results["root"]
    assert 'data-testid="review-verdict">재검토<' in staff  # the hub is readable: still a duplicate
    assert world["cards"][ICT].name not in staff and "qzictkpi" not in staff
    assert world["cards"][ICT].name in admin  # the positive control
    assert 'href="data:text/markdown;charset=utf-8,' in staff
    assert str(world["settings"].data_dir) not in staff
    assert 'href="/registry/' not in staff  # a staff member cannot open registry cards
    bad = world["clients"]["a_staff"].post(
        "/review",
        files={"file": ("메모.txt", b"hello", "text/plain")},
        headers={"X-CSRF-Token": world["csrf"]["a_staff"]},
    )
    assert bad.status_code == 415 and "HWP, HWPX, PDF, DOCX" in bad.text
