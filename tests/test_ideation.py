# ruff: noqa: F811 - module-scoped fixtures imported from tests/ideation_fixtures.py
"""`ct ideas` on the built demo registry: 교통정책과's proposals are grounded in documents it
may read, none duplicates an existing card, scores are in range with reasons, ids are stable,
and decisions persist across re-runs."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from control_tower.ideation.types import CRITERIA
from control_tower.registry.visibility import Reader
from tests.ideation_fixtures import DEPT, doc_text, ideas_world, traffic  # noqa: F401

PROPOSAL_KEYS = {
    "id", "title", "departments", "problem", "approach", "data", "related_cards", "kpis",
    "prerequisites", "risks", "phase", "scores", "reasons", "citations",
}  # fmt: skip


def _all_citations(p):  # noqa: ANN001, ANN202
    return [*p.citations, *(d.citation for d in p.data if d.citation)]


def test_traffic_gets_grounded_proposals_quickly(traffic):
    settings, store, staff, proposals, seconds = traffic
    assert len(proposals) >= 3
    assert seconds < 60  # the target is ~20 s on 2 idle cores; tests share a loaded machine
    reader = Reader(store, staff)
    texts: dict[str, str] = {}
    for p in proposals:
        assert p.citations, p.title
        for c in _all_citations(p):
            assert reader.can(c.doc_id), (p.title, c.doc_id)
            texts.setdefault(c.doc_id, doc_text(settings, store, c.doc_id))
            assert c.text and c.text in texts[c.doc_id], (p.title, c.text)
        # the problem statement's department facts come from 교통정책과's own documents
        own = [c for c in p.citations if store.get_document(c.doc_id).department == DEPT]
        assert own, p.title


def test_proposals_fit_the_department(traffic):
    from control_tower.ideation.catalogue import load_catalogue

    *_, proposals, _ = traffic
    domains = [load_catalogue().by_id(p.use_case).domain for p in proposals]
    assert domains.count("교통") >= len(proposals) // 2 + 1, domains
    # 교통정책과 already runs AI 스마트 신호제어: signal optimisation is covered, not proposed new
    assert all(p.use_case != "traffic-signal-optimization" or p.kind == "연계" for p in proposals)


def test_no_proposal_duplicates_an_existing_card(traffic):
    from control_tower.ideation.dedup import proposal_card
    from control_tower.linker.pipeline import score_against
    from control_tower.registry.linking import card_vectors
    from control_tower.registry.repo import RegistryRepo
    from control_tower.registry.review import DUPLICATE_SCORE

    settings, store, _, proposals, _ = traffic
    cards = RegistryRepo(store).cards()  # the whole registry, not only what the caller sees
    for p in proposals:
        card = proposal_card(p.id, p.title, p.departments[:1], p.problem, p.approach,
                             p.technique, [d.name for d in p.data])  # fmt: skip
        vectors, _ = card_vectors(settings, [card, *cards])
        cos = None if vectors is None else vectors[1:] @ vectors[0]
        dups = [
            lk
            for lk in score_against(card, cards, cosines=cos)
            if lk is not None and lk.type == "중복" and lk.score >= DUPLICATE_SCORE
        ]
        if p.kind == "연계":
            assert any(r.id in {lk.a for lk in dups} | {lk.b for lk in dups}
                       for r in p.related_cards), p.title  # fmt: skip
        else:
            assert dups == [], (p.title, [(lk.a, lk.b, lk.score) for lk in dups])
            assert p.review_verdict in ("추진", "조건부 추진")


def test_scores_in_range_with_reasons_and_fields_filled(traffic):
    *_, proposals, _ = traffic
    for p in proposals:
        assert set(p.scores) == set(CRITERIA)
        for crit in CRITERIA:
            assert 1.0 <= p.scores[crit] <= 5.0
            assert p.reasons[crit] and all(isinstance(r, str) and r for r in p.reasons[crit])
        assert p.problem and p.approach and p.kpis and p.risks and p.data
        assert p.phase in ("단기", "중기", "장기") and p.cost_eok > 0
    totals = [p.total_score for p in proposals]
    assert totals == sorted(totals, reverse=True) or any(p.kind == "연계" for p in proposals)
    assert len({tuple(p.scores.values()) for p in proposals}) > 1  # computed, not constant


def test_ids_are_stable_and_decisions_survive_a_rerun(traffic):
    from control_tower.ideation.proposals import proposal_id
    from control_tower.ideation.service import (
        IdeaError,
        accepted_proposals,
        decide,
        ideas_for,
    )

    settings, store, staff, proposals, _ = traffic
    for p in proposals:
        assert p.id == proposal_id(DEPT, p.use_case)
    first, second = proposals[0], proposals[1]
    head, ai = store.get_user("traffic_head"), store.get_user("ai_lead")
    try:
        decide(store, staff, first.id, "채택")
        raise AssertionError("staff may not decide")
    except IdeaError as exc:
        assert exc.status == 403 and "권한" in exc.message_ko
    assert decide(store, head, first.id, "채택").status == "채택"
    assert decide(store, ai, second.id, "보류").decided_by == "ai_lead"
    again = {p.id: p for p in ideas_for(settings, store, staff, DEPT, 5)}
    assert set(again) == {p.id for p in proposals}
    assert again[first.id].status == "채택" and again[first.id].decided_by == "traffic_head"
    assert again[second.id].status == "보류"
    assert [p.id for p in accepted_proposals(store, ai)] == [first.id]
    decide(store, ai, first.id, "제안")
    assert accepted_proposals(store, ai) == []


def test_cli_json_shape_and_text_view(traffic, monkeypatch):
    from control_tower.cli import app as ct
    from control_tower.settings import reset_settings_cache

    settings, *_ = traffic
    monkeypatch.setenv("CT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CT_MODELS_DIR", str(settings.models_dir))
    reset_settings_cache()
    try:
        runner = CliRunner()
        out = runner.invoke(ct, ["ideas", "--department", DEPT, "--top", "3", "--user",
                                 "traffic_staff", "--json"])  # fmt: skip
        assert out.exit_code == 0, out.output
        data = json.loads(out.stdout)
        assert 1 <= len(data["proposals"]) <= 3
        for p in data["proposals"]:
            assert PROPOSAL_KEYS <= set(p)
            assert set(p["scores"]) == set(CRITERIA)
            for c in p["citations"]:
                assert {"doc_id", "path", "page", "section", "text"} <= set(c)
        text = runner.invoke(ct, ["ideas", "-d", DEPT, "--top", "2", "-u", "traffic_staff"])
        assert text.exit_code == 0 and "적합성" in text.output and "근거" in text.output
        pid = data["proposals"][0]["id"]
        denied = runner.invoke(ct, ["ideas", "accept", pid, "--user", "traffic_staff"])
        assert denied.exit_code != 0 and "권한" in denied.output
        ok = runner.invoke(ct, ["ideas", "reject", pid, "--user", "traffic_head", "--json"])
        assert ok.exit_code == 0 and json.loads(ok.stdout)["status"] == "보류"
        other = runner.invoke(ct, ["ideas", "-d", "복지정책과", "-u", "traffic_staff"])
        assert other.exit_code != 0 and "다른 부서" in other.output
        unknown = runner.invoke(ct, ["ideas", "-d", "없는부서", "-u", "ai_lead"])
        assert unknown.exit_code != 0 and "알 수 없는 부서" in unknown.output
    finally:
        reset_settings_cache()
