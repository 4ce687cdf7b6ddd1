"""The review proposals: real HWPX/DOCX files written by the demo writers, read back by the real
parsers, each with the 사업 개요 table; not in the demo corpus; each has an expected verdict."""

from __future__ import annotations

import json
from pathlib import Path

from control_tower.demo.generate import file_name, plan_corpus
from control_tower.demo.proposals import load_proposals, write_proposals
from ingest.chunking import full_text
from ingest.parsers import parse_file

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "evals" / "data" / "review_labels.json"
VERDICTS = {"추진", "조건부 추진", "재검토"}


def test_proposals_parse_with_overview(tmp_path):
    proposals = load_proposals()
    paths = write_proposals(tmp_path / "out")
    assert len(paths) == len(proposals) >= 3
    assert {p.suffix for p in paths} >= {".hwpx", ".docx"}
    for (department, doc), path in zip(proposals, paths, strict=True):
        assert path.name == file_name(doc) and path.stat().st_size > 0
        parsed = parse_file(path)
        assert parsed.metadata["format"] == doc.format
        text = full_text(parsed)
        assert doc.title in text and f"작성부서: 포항시 {department}" in text
        tables = [b.text for b in parsed.blocks if b.kind == "table"]
        overview = dict(doc.overview)
        assert any(f"| 사업명 | {overview['사업명']} |" in t for t in tables), path.name
        assert any(f"| 담당부서 | {overview['담당부서']} |" in t for t in tables), path.name
        assert doc.overview[2][1] in text  # the 사업비 line survives verbatim


def test_proposals_are_new_and_deterministic(tmp_path):
    demo = plan_corpus()
    demo_keys = {doc.key for _, doc in demo}
    demo_titles = {doc.title for _, doc in demo}
    for _, doc in load_proposals():
        assert doc.key not in demo_keys and doc.title not in demo_titles
        assert doc.doc_type == "사업계획" and doc.overview
    first = write_proposals(tmp_path / "a")
    second = write_proposals(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_every_proposal_has_an_expected_verdict():
    labels = {p["key"]: p for p in json.loads(LABELS.read_text(encoding="utf-8"))["proposals"]}
    proposals = {doc.key: doc for _, doc in load_proposals()}
    assert set(labels) == set(proposals)
    assert {p["verdict"] for p in labels.values()} == VERDICTS
    demo_keys = {doc.key for _, doc in plan_corpus()}
    for key, label in labels.items():
        assert label["file"] == file_name(proposals[key])
        for ref in label.get("duplicate_of", []) + label.get("related", []):
            assert ref in demo_keys, ref
        if label["verdict"] == "재검토":
            assert label["duplicate_of"]
