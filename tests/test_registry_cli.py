"""`ct registry …`, `ct links` and `ct review` on the built demo registry: the JSON shapes
the issue names, Korean errors, and the review verdicts of the Done-when list."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from control_tower.cli import app

CARD_KEYS = {
    "id", "name", "aliases", "departments", "status", "start_year", "end_year", "budget_eok",
    "funding", "goal", "summary", "technologies", "data", "beneficiaries", "partners", "kpis",
    "sources", "fields",
}  # fmt: skip


def ct(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def ct_json(*args: str):
    code, out = ct(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_build_json_has_the_documented_numbers(demo_copy):
    data = ct_json("registry", "build", "--no-llm")
    for key in ("cards", "created", "updated", "unchanged", "llm_fields", "seconds"):
        assert key in data
    assert data["unchanged"] == data["cards"] > 30


def test_list_json_cards_have_the_documented_shape(demo_copy):
    cards = ct_json("registry", "list", "--user", "admin")["cards"]
    assert len(cards) > 30
    for card in cards:
        assert CARD_KEYS <= card.keys()
        assert (
            card["sources"]
            and {"doc_id", "path", "title", "page", "section"} <= card["sources"][0].keys()
        )
        name = card["fields"]["name"]
        assert name["value"] == card["name"] and name["method"] in ("rule", "table", "llm")
        assert {"doc_id", "path", "page", "section"} <= name["source"].keys()
    department = ct_json("registry", "list", "--user", "admin", "--department", "보건소")
    assert department["cards"] and all("보건소" in c["departments"] for c in department["cards"])


def test_anonymous_cli_sees_only_public_documents_cards(demo_copy):
    everything = ct_json("registry", "list", "--user", "admin")["cards"]
    anonymous = ct_json("registry", "list")["cards"]
    assert 0 < len(anonymous) < len(everything)


def test_show_and_edit_and_revert(demo_copy):
    card = ct_json("registry", "list", "--user", "admin")["cards"][0]
    shown = ct_json("registry", "show", card["id"], "--user", "admin")
    assert shown["id"] == card["id"] and "history" in shown
    code, out = ct("registry", "edit", card["id"], "--set", "budget_eok=많음")
    assert code == 1 and "올바르지 않습니다" in out
    edited = ct_json("registry", "edit", card["id"], "--set", "status=보류", "--user", "admin")
    assert edited["status"] == "보류" and edited["fields"]["status"]["method"] == "edit"
    reverted = ct_json("registry", "edit", card["id"], "--revert", "status", "--user", "admin")
    assert reverted["fields"].get("status", {}).get("method") != "edit"
    code, out = ct("registry", "show", "p-000000000000", "--user", "admin")
    assert code == 1 and "찾을 수 없" in out


def test_links_json_lists_the_platform_duplicate_and_prerequisites(demo_copy):
    data = ct_json("links", "--user", "admin")
    links, clusters = data["links"], data["clusters"]
    assert links == sorted(links, key=lambda lk: -lk["score"])
    for lk in links:
        assert {"a", "b", "type", "score", "evidence", "rationale"} <= lk.keys()
        assert lk["type"] in ("중복", "연계", "선후")
        for ev in lk["evidence"]:
            assert {"card", "doc_id", "path", "page", "section", "text"} <= ev.keys()
    names = {(lk["a_name"], lk["b_name"], lk["type"]) for lk in links}
    assert any(
        lk["type"] == "중복"
        and {"포항형 도시데이터 허브 구축", "포항시 통합 데이터 플랫폼 구축"}
        == {lk["a_name"], lk["b_name"]}
        for lk in links
    ), names
    prerequisite_of = {lk["b_name"] for lk in links if lk["type"] == "선후"
                       and lk["a_name"] == "포항시 통합 데이터 플랫폼 구축"}  # fmt: skip
    assert len(prerequisite_of) >= 3, prerequisite_of
    assert any("데이터 플랫폼" in c["component"] for c in clusters)
    only = ct_json("links", "--user", "admin", "--type", "선후", "--top", "3")["links"]
    assert len(only) == 3 and {lk["type"] for lk in only} == {"선후"}
    code, out = ct("links", "--type", "비슷함")
    assert code == 1 and "중복" in out


@pytest.fixture(scope="module")
def proposals(tmp_path_factory):
    from control_tower.demo.proposals import write_proposals

    return {p.name: p for p in write_proposals(tmp_path_factory.mktemp("proposals"))}


def test_review_of_a_restated_project_is_re_review_naming_it(demo_copy, proposals, tmp_path):
    path = next(p for n, p in proposals.items() if "빅데이터_통합_플랫폼" in n)
    report = tmp_path / "review.md"
    data = ct_json("review", str(path), "--user", "admin", "--out", str(report))
    assert data["verdict"] == "재검토"
    assert data["matches"][0]["type"] == "중복"
    assert (
        "데이터 플랫폼" in data["matches"][0]["name"] or "데이터 허브" in data["matches"][0]["name"]
    )
    assert {"card", "verdict", "matches", "reasons"} <= data.keys()
    text = report.read_text(encoding="utf-8")
    assert "재검토" in text and "사전협의" in text


def test_review_of_an_unrelated_plan_is_go_ahead(demo_copy, proposals):
    path = next(p for n, p in proposals.items() if "체육센터" in n)
    assert ct_json("review", str(path), "--user", "admin")["verdict"] == "추진"


def test_review_of_a_new_service_needing_the_platforms_is_conditional(demo_copy, proposals):
    path = next(p for n, p in proposals.items() if "포트홀" in n)
    data = ct_json("review", str(path), "--user", "admin")
    assert data["verdict"] == "조건부 추진"
    assert any("GPU" in r or "데이터 플랫폼" in r for r in data["reasons"])


def test_review_of_a_file_that_is_no_plan_says_why_in_korean(demo_copy, tmp_path):
    junk = tmp_path / "junk.hwp"
    junk.write_bytes(b"\x00\x01not a document at all" * 20)
    code, out = ct("review", str(junk))
    assert code == 1 and out.strip()
    assert any("\uac00" <= ch <= "\ud7a3" for ch in out)  # a Korean message
