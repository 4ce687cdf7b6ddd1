"""Roadmaps on the built demo registry with the real store, registry and exporters: drafting,
versions (edit, regenerate, structure edit, diff, restore), access for every caller, export
re-checks, the CLI's JSON contract and the API with its background job."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from control_tower.roadmap.ordering import RoadmapError
from control_tower.roadmap.types import Guidance
from tests.auth_helpers import auth_headers, login
from tests.upload_helpers import wait_job

G = Guidance(from_year=2026, to_year=2030)
DEMO = {"ai_lead": "demo-ai-2026", "traffic_staff": "demo-staff-2026",
        "traffic_head": "demo-head-2026", "admin": "demo-admin-2026"}  # fmt: skip


def _principal(store, name: str):  # noqa: ANN001, ANN202
    from control_tower.accounts import get_user

    return get_user(store, name).principal()


@pytest.fixture
def world(demo_copy):
    from control_tower.store import open_store

    store = open_store(demo_copy)
    return demo_copy, store, _principal(store, "ai_lead")


@pytest.fixture
def drafted(world):
    from control_tower.roadmap.service import draft_roadmap

    settings, store, lead = world
    return draft_roadmap(settings, store, lead, G, use_llm=False), world


def test_demo_draft_passes_every_check_and_cites_readable_documents(drafted):
    from control_tower.registry.visibility import Reader

    v, (_, store, lead) = drafted
    assert v.version == 1 and v.draft_id
    failed = [(c.name, c.items[:3]) for c in v.checks if not c.ok]
    assert not failed, failed
    s = v.structure
    assert s.initiatives and s.training and len(s.phases) == 3
    assert round(sum(s.budget.by_year.values()), 2) == s.budget.total_eok > 0
    reader = Reader(store, lead)
    cited = {src.doc_id for i in s.initiatives for src in i.sources if src.doc_id}
    assert cited and all(reader.can(d) for d in cited)
    assert not [src for src in s.sources if src.path.startswith("/")]  # locations, not paths
    assert all(sec.method == "template" and sec.note for sec in v.sections.values())


def test_the_demo_platform_comes_before_the_services_that_need_it(drafted):
    v, _ = drafted
    s = v.structure
    platform = next(i for i in s.initiatives if "통합 데이터 플랫폼" in i.title)
    dependents = [i for i in s.initiatives if platform.id in i.depends_on]
    assert len(dependents) >= 3
    assert all(s.order.index(platform.id) < s.order.index(d.id) for d in dependents)
    assert all(d.start_year >= platform.start_year for d in dependents)


def test_versions_edit_regenerate_restructure_diff_restore(drafted):
    from control_tower.roadmap import service

    v1, (settings, store, lead) = drafted
    d = v1.draft_id
    v2 = service.edit_section(store, lead, d, "background", "포항시는 AI 혁신을 추진합니다.")
    assert v2.version == 2 and v2.sections["background"].method == "edit"
    assert v2.sections["background"].by == "ai_lead"
    v3 = service.regenerate_section(settings, store, lead, d, "background", use_llm=False)
    assert v3.version == 3 and v3.sections["background"].method == "template"
    target = next(i for i in v3.structure.initiatives if not i.fixed and i.phase == "단기")
    v4 = service.edit_structure(store, lead, d, {"initiative": target.id, "phase": "장기"})
    moved = v4.structure.initiative(target.id)
    assert moved.phase == "장기" and moved.start_year == 2030 and "구조 수정" in v4.note
    assert {c.name for c in v4.checks} == {c.name for c in v1.checks}  # re-run
    assert "background" in service.compare_versions(store, lead, d, 1, 2)["sections"]
    diff = service.compare_versions(store, lead, d, 1, 4)
    assert any(
        c["id"] == target.id and "phase" in c["fields"] for c in diff["initiatives"]["changed"]
    )
    v5 = service.restore(store, lead, d, 1)
    assert v5.version == 5 and v5.structure == v1.structure and "1판 복원" in v5.note
    assert [x["version"] for x in service.versions(store, lead, d)] == [1, 2, 3, 4, 5]
    assert service.get_version(store, lead, d, 2).sections["background"].text.startswith("포항시")
    with pytest.raises(RoadmapError) as bad:
        service.edit_section(store, lead, d, "nope", "x")
    assert bad.value.status == 422


def test_only_the_ai_division_drafts_and_only_full_readers_see_a_draft(drafted):
    from control_tower.registry.visibility import Reader
    from control_tower.roadmap import service

    v, (settings, store, lead) = drafted
    staff = _principal(store, "traffic_staff")
    with pytest.raises(RoadmapError) as denied:
        service.draft_roadmap(settings, store, staff, G, use_llm=False)
    assert denied.value.status == 403
    with pytest.raises(RoadmapError) as hidden:
        service.get_version(store, staff, v.draft_id)
    assert hidden.value.status == 404
    assert service.list_drafts(store, staff) == []
    # A cited plan made department-only: the admin still reads (and cites) it, and every
    # head who cannot read all that the admin's draft was computed from gets a 404.
    from control_tower.store.models import DocumentRow

    owned = v.structure.sources[0]
    with store.begin() as s:
        row = s.get(DocumentRow, owned.doc_id)
        row.access_level, owner = "department", row.department
    v = service.draft_roadmap(settings, store, _principal(store, "admin"), G, use_llm=False)
    assert owned.doc_id in service.RoadmapRepo(store).docs_of(v.draft_id)
    cited = service.RoadmapRepo(store).docs_of(v.draft_id)
    refused = 0
    for who in store.list_users():
        if not service.may_view(who) or who.is_admin:
            continue
        if all(Reader(store, who).can(d) for d in cited):
            assert service.get_version(store, who, v.draft_id).version == 1
            continue
        refused += 1
        with pytest.raises(RoadmapError):
            service.get_version(store, who, v.draft_id)
        with pytest.raises(RoadmapError):
            service.export_draft(store, who, v.draft_id, settings.data_dir / "x.md")
    assert refused >= 10, refused
    assert owner  # the plan's department exists
    assert service.get_version(store, _principal(store, "admin"), v.draft_id).version == 1


def test_a_document_restricted_after_drafting_hides_the_draft_and_blocks_export(drafted, tmp_path):
    from control_tower.roadmap import service
    from control_tower.store.models import DocumentRow

    v, (_, store, lead) = drafted
    cited = v.structure.sources[0].doc_id
    with store.begin() as s:
        row = s.get(DocumentRow, cited)
        row.access_level = "restricted"
    with pytest.raises(RoadmapError) as err:
        service.export_draft(store, lead, v.draft_id, tmp_path / "r.hwpx")
    assert err.value.status == 404 and not (tmp_path / "r.hwpx").exists()


@pytest.mark.parametrize("suffix", [".md", ".docx", ".hwpx"])
def test_export_reopens_with_the_phase_budget_and_training_tables(drafted, tmp_path, suffix):
    from control_tower.roadmap.export.readback import read_back
    from control_tower.roadmap.service import export_draft

    v, (_, store, lead) = drafted
    out = export_draft(store, lead, v.draft_id, tmp_path / f"roadmap{suffix}")
    back = read_back(out)
    heads = " ".join(t for _, t in back.headings)
    for title in ("Ⅰ. 추진 배경", "Ⅴ. 단계별 추진 로드맵", "Ⅵ. 연도별 소요 예산", "붙임"):
        assert title in heads
    tables = back.tables
    budget = next(t for t in tables if t[0][0] == "추진과제" and t[0][-1] == "합계")
    total_row = next(r for r in budget if r[0] == "합계")
    assert float(total_row[-1].replace(",", "")) == pytest.approx(v.structure.budget.total_eok)
    assert any(t[0][:2] == ["단계", "기간"] for t in tables)  # phase table
    assert any("교육 과정" in t[0] for t in tables)  # staff training plan


def test_cli_draft_json_contract_and_hwpx(demo_copy, tmp_path):
    from control_tower.cli import app
    from control_tower.roadmap.export.readback import read_back

    runner = CliRunner()
    out = tmp_path / "roadmap.hwpx"
    r = runner.invoke(app, ["roadmap", "draft", "--from", "2026", "--to", "2030", "--no-llm",
                            "--user", "ai_lead", "--json", "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    for key in ("draft_id", "version", "phases", "initiatives", "budget", "training", "checks"):
        assert key in data
    ini = data["initiatives"][0]
    for key in (
        "id",
        "title",
        "departments",
        "phase",
        "depends_on",
        "budget_by_year",
        "kpis",
        "sources",
    ):
        assert key in ini
    assert {"by_year", "by_department", "total_eok"} <= data["budget"].keys()
    assert all(c["ok"] for c in data["checks"]), data["checks"]
    assert read_back(out).tables
    draft_id = data["draft_id"]
    text = tmp_path / "bg.txt"
    text.write_text("시민 중심 AI 전환을 위한 배경입니다.", "utf-8")
    r = runner.invoke(app, ["roadmap", "section", draft_id, "background", "--edit", str(text),
                            "--user", "ai_lead"])  # fmt: skip
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["roadmap", "versions", draft_id, "--user", "ai_lead", "--json"])
    assert [v["version"] for v in json.loads(r.stdout)["versions"]] == [1, 2]
    r = runner.invoke(app, ["roadmap", "export", draft_id, "--out", str(tmp_path / "r.docx"),
                            "--user", "ai_lead"])  # fmt: skip
    assert r.exit_code == 0 and read_back(tmp_path / "r.docx").tables
    bad = runner.invoke(app, ["roadmap", "export", draft_id, "--out", str(tmp_path / "r.pdf"),
                              "--user", "ai_lead"])  # fmt: skip
    assert bad.exit_code != 0 and "지원하지 않는" in bad.output
    staff = runner.invoke(app, ["roadmap", "show", draft_id, "--user", "traffic_staff"])
    assert staff.exit_code != 0 and "찾을 수 없" in staff.output
    cycle = runner.invoke(app, ["roadmap", "draft", "--from", "2030", "--to", "2026", "--no-llm"])
    assert cycle.exit_code != 0 and "종료 연도" in cycle.output


def test_api_drafts_as_a_job_and_serves_exports_to_readers_only(demo_copy):
    from serving.app import create_app

    with TestClient(create_app(demo_copy), follow_redirects=False) as client:
        assert client.get("/api/v1/roadmaps").status_code == 401
        h = auth_headers(login(client, "traffic_staff", DEMO["traffic_staff"]))
        denied = client.post(
            "/api/v1/roadmaps", json={"from_year": 2026, "to_year": 2030}, headers=h
        )
        assert denied.status_code == 403 and "AI 전담부서" in denied.json()["detail"]["message"]
        client.cookies.clear()
        h = auth_headers(login(client, "ai_lead", DEMO["ai_lead"]))
        bad = client.post("/api/v1/roadmaps", json={"from_year": 2030, "to_year": 2020}, headers=h)
        assert bad.status_code == 422
        body = {"from_year": 2026, "to_year": 2030, "use_llm": False}
        r = client.post("/api/v1/roadmaps", json=body, headers=h)
        assert r.status_code == 202, r.text
        job = wait_job(client, r.json()["job_id"], h, timeout=300)
        assert job["state"] == "succeeded", job
        draft_id = job["result"]["draft_id"]
        got = client.get(f"/api/v1/roadmaps/{draft_id}", headers=h).json()
        assert got["version"] == 1 and got["sections"]["budget"]["method"] == "template"
        key = "vision"
        regen = client.post(f"/api/v1/roadmaps/{draft_id}/sections/{key}/regenerate",
                            json={"use_llm": False}, headers=h)  # fmt: skip
        assert regen.status_code == 200 and regen.json()["version"] == 2
        edit = client.put(f"/api/v1/roadmaps/{draft_id}/sections/{key}", json={"text": "비전"},
                          headers=h)  # fmt: skip
        assert edit.status_code == 200 and edit.json()["sections"][key]["method"] == "edit"
        nocsrf = client.put(f"/api/v1/roadmaps/{draft_id}/sections/{key}", json={"text": "x"})
        assert nocsrf.status_code == 403
        diff = client.get(f"/api/v1/roadmaps/{draft_id}/diff?a=1&b=3", headers=h).json()
        assert key in diff["sections"]
        file = client.get(f"/api/v1/roadmaps/{draft_id}/export?format=hwpx", headers=h)
        assert file.status_code == 200 and file.content[:2] == b"PK"
        client.cookies.clear()
        h = auth_headers(login(client, "traffic_staff", DEMO["traffic_staff"]))
        assert client.get(f"/api/v1/roadmaps/{draft_id}", headers=h).status_code == 404
        assert client.get(f"/api/v1/roadmaps/{draft_id}/export", headers=h).status_code == 404
        assert client.get("/api/v1/roadmaps", headers=h).json() == {"drafts": []}


def test_demo_first_start_accepts_ideas_and_drafts_once(demo_copy):
    from control_tower.demo.roadmap import ensure_demo_roadmap
    from serving.app import create_app

    app = create_app(demo_copy)
    with TestClient(app, follow_redirects=False) as client:
        job_id = ensure_demo_roadmap(app.state.services, use_llm=False)
        assert job_id
        h = auth_headers(login(client, "ai_lead", DEMO["ai_lead"]))
        job = wait_job(client, job_id, h, timeout=300)
        assert job["state"] == "succeeded" and not job["result"]["failed_checks"], job
        got = client.get(f"/api/v1/roadmaps/{job['result']['draft_id']}", headers=h).json()
        proposals = [i for i in got["initiatives"] if i["kind"] == "proposal"]
        assert proposals and {i["phase"] for i in proposals} & {"중기", "장기"}
        assert all(i["sources"][0]["proposal"] for i in proposals)
        assert ensure_demo_roadmap(app.state.services, use_llm=False) is None  # only once
