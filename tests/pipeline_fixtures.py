"""Helpers for pipeline, CLI and crash tests: small real corpora and a shared real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from control_tower.index import Index
from control_tower.index.bm25_backend import BM25ChunkIndex
from control_tower.index.chroma_backend import ChromaChunkIndex
from control_tower.store import open_store

TOPICS = [
    ("버스노선", "포항시 버스 노선 개편으로 간선 12개와 지선 30개 노선이 새로 운영됩니다."),
    ("주차장", "포항시 공영주차장 스마트 주차 안내 시스템이 2025년 하반기에 구축됩니다."),
    ("복지", "포항시 기초생활수급자 맞춤형 사례관리 인력이 15명 증원됩니다."),
    ("재난", "포항시 지진 대비 대피소 120곳의 내진 보강 공사가 완료되었습니다."),
    ("수도", "포항시 상수도 노후관 교체 사업으로 누수율이 8퍼센트 감소했습니다."),
    ("환경", "포항시 형산강 수질 개선을 위한 비점오염 저감시설이 설치됩니다."),
]


def write_text_corpus(folder: Path, n: int = 6, *, paragraphs: int = 3) -> list[Path]:
    """``n`` small Korean text/markdown files with distinct, searchable content."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        name, sentence = TOPICS[i % len(TOPICS)]
        body = "\n\n".join(
            f"{sentence} 문서 번호 {i}-{p}. 세부 내용은 담당 부서 검토를 거쳐 확정됩니다."
            for p in range(paragraphs)
        )
        ext = "md" if i % 2 else "txt"
        sub = folder / ("하위폴더" if i % 3 == 2 else "")
        sub.mkdir(parents=True, exist_ok=True)
        p = sub / f"{i:02d}_{name}.{ext}"
        p.write_text((f"# {name} 계획\n\n" if ext == "md" else "") + body + "\n", encoding="utf-8")
        out.append(p)
    return out


def write_manifest(folder: Path, entries: list[dict]) -> None:
    (folder / "ct-manifest.json").write_text(
        json.dumps({"documents": entries}, ensure_ascii=False), encoding="utf-8"
    )


@pytest.fixture
def store(settings):
    s = open_store(settings)
    yield s
    s.close()


@pytest.fixture
def index(settings, embedder) -> Index:
    return Index(ChromaChunkIndex(settings, embedder), BM25ChunkIndex(settings))
