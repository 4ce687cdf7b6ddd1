"""The use-case catalogue: coverage of the shipped file, and the loader's errors on bad files."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from control_tower.ideation.catalogue import (
    CATALOGUE_PATH,
    PLATFORMS,
    SCHEMA_PATH,
    CatalogueError,
    load_catalogue,
    schema,
)
from control_tower.ideation.types import DOMAINS, TECHNIQUES

HANGUL = re.compile(r"[가-힣]")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_size_and_coverage(catalogue):
    entries = catalogue.entries
    assert len(entries) >= 84
    domains = Counter(e.domain for e in entries)
    techniques = Counter(e.technique for e in entries)
    assert {d: domains[d] for d in DOMAINS if domains[d] < 5} == {}
    assert {t: techniques[t] for t in TECHNIQUES if techniques[t] < 6} == {}


def test_ids_and_titles_unique(catalogue):
    ids = [e.id for e in catalogue.entries]
    titles = [e.title for e in catalogue.entries]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert [t for t, n in Counter(titles).items() if n > 1] == []


def test_entries_are_plausible(catalogue):
    for e in catalogue.entries:
        assert e.cost.min_eok <= e.cost.max_eok, e.id
        assert 0.5 <= e.cost.min_eok and e.cost.max_eok <= 50, e.id
        assert set(e.prerequisites.platform) <= set(PLATFORMS), e.id
        assert 5 <= len(e.keywords) <= 10, e.id
        assert all(k.strip() and (HANGUL.search(k) or k.isascii()) for k in e.keywords), e.id
        assert sum(bool(HANGUL.search(k)) for k in e.keywords) >= 4, e.id
        assert 1 <= e.duration_years <= 4, e.id
        assert HANGUL.search(e.title) and HANGUL.search(e.problem), e.id
        assert 2 <= len(e.risks) <= 3, e.id


def test_ids_are_prefixed_by_domain(catalogue):
    prefixes: dict[str, set[str]] = {}
    for e in catalogue.entries:
        prefixes.setdefault(e.domain, set()).add(e.id.split("-")[0])
    # one domain, one short name (culture shares the tourism domain; both are fine)
    assert all(len(p) <= 2 for p in prefixes.values()), prefixes


def test_lookups(catalogue):
    first = catalogue.entries[0]
    assert catalogue.by_id(first.id) is first
    assert all(e.domain == "교통" for e in catalogue.by_domain("교통"))
    with pytest.raises(KeyError, match="카탈로그에 없는"):
        catalogue.by_id("no-such-case")
    with pytest.raises(KeyError, match="알 수 없는 분야"):
        catalogue.by_domain("우주")


def test_schema_file_in_sync():
    assert json.loads(SCHEMA_PATH.read_text("utf-8")) == schema()


def _raw() -> list[dict]:
    return json.loads(CATALOGUE_PATH.read_text("utf-8"))


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "catalogue.json"
    path.write_text(content, "utf-8")
    return path


def test_malformed_json(tmp_path):
    with pytest.raises(CatalogueError, match=r"올바른 JSON이 아닙니다 \(줄 1"):
        load_catalogue(_write(tmp_path, '[{"id": '))


def test_top_level_must_be_a_list(tmp_path):
    with pytest.raises(CatalogueError, match="JSON 배열"):
        load_catalogue(_write(tmp_path, '{"entries": []}'))


def test_missing_file(tmp_path):
    with pytest.raises(CatalogueError, match="읽을 수 없습니다"):
        load_catalogue(tmp_path / "absent.json")


def test_duplicate_id(tmp_path):
    raw = _raw()
    raw[3]["id"] = raw[1]["id"]
    with pytest.raises(CatalogueError, match=rf"id가 중복됩니다: {raw[1]['id']} \(항목 #1, #3\)"):
        load_catalogue(_write(tmp_path, json.dumps(raw, ensure_ascii=False)))


def test_bad_field_names_entry_and_field(tmp_path):
    raw = _raw()
    raw[2]["kpis"][0]["direction"] = "유지"
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_write(tmp_path, json.dumps(raw, ensure_ascii=False)))
    message = str(info.value)
    assert f"항목 #2 (id={raw[2]['id']})" in message and "'kpis.0.direction'" in message


def test_missing_field(tmp_path):
    raw = _raw()
    del raw[0]["problem"]
    with pytest.raises(CatalogueError, match=r"항목 #0 .*'problem' 필드"):
        load_catalogue(_write(tmp_path, json.dumps(raw, ensure_ascii=False)))


def test_unknown_platform(tmp_path):
    raw = _raw()
    raw[5]["prerequisites"]["platform"] = ["빅데이터 허브"]
    with pytest.raises(CatalogueError, match="정해지지 않은 플랫폼이 있습니다: 빅데이터 허브"):
        load_catalogue(_write(tmp_path, json.dumps(raw, ensure_ascii=False)))


def test_cost_range_inverted(tmp_path):
    raw = _raw()
    raw[4]["cost"] = {"min_eok": 9, "max_eok": 2}
    with pytest.raises(CatalogueError, match=r"항목 #4 .*'cost'"):
        load_catalogue(_write(tmp_path, json.dumps(raw, ensure_ascii=False)))


def test_keywords_are_nouns_the_tokenizer_keeps(catalogue):
    """Keywords are matched against department documents as Kiwi nouns (all of them present):
    a keyword with no noun of two or more characters ("어가" → none, "어장" → "장") would
    match nothing or nearly every document."""
    from control_tower.index.korean_tokenizer import spans_batch

    keywords = sorted({k for e in catalogue.entries for k in e.keywords})
    nouns = [
        {s.term for s in spans if s.tag in ("NNG", "NNP", "SL")} for spans in spans_batch(keywords)
    ]
    bad = [k for k, ns in zip(keywords, nouns, strict=True) if max(map(len, ns), default=0) < 2]
    assert bad == []


def test_kpi_change_agrees_with_direction(catalogue):
    contrary = {"증가": ("감소", "단축"), "감소": ("증가", "향상")}
    wrong = [
        (e.id, k.name)
        for e in catalogue.entries
        for k in e.kpis
        if any(w in k.typical_change for w in contrary[k.direction])
    ]
    assert wrong == []
