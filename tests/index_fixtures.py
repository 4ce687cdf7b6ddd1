"""Shared fixtures for index tests: a small Korean corpus covering every access level, a
real embedder, and a local Chroma server for the HttpClient variant."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from control_tower.domain import AccessLevel, Chunk, DocumentMeta, Principal, Role

DEPT_A = "교통정책과"
DEPT_B = "복지정책과"
DEPT_C = "기획예산과"

# (doc_id, department, access, allowed_users, allowed_departments, doc_type, date, passages)
DOCS = [
    (
        "doc-pub",
        DEPT_A,
        AccessLevel.public,
        [],
        [],
        "hwp",
        date(2024, 3, 5),
        [
            "포항시 버스 노선 개편 계획을 시민에게 공개합니다. 2024년 3월부터 노선이 바뀝니다.",
            "포항시 교통 약자를 위한 저상버스 도입 현황과 정류장 개선 내용입니다.",
        ],
    ),
    (
        "doc-int",
        DEPT_A,
        AccessLevel.internal,
        [],
        [],
        "pdf",
        date(2024, 7, 1),
        [
            "포항시 내부 검토: 스마트 신호등 실증사업 예산 집행 현황 보고.",
        ],
    ),
    (
        "doc-deptA",
        DEPT_A,
        AccessLevel.department,
        [],
        [],
        "hwpx",
        date(2025, 1, 15),
        [
            "포항시 교통정책과 전용: 주차장 부지 매입 협상 진행 상황과 감정평가 결과.",
        ],
    ),
    (
        "doc-deptB",
        DEPT_B,
        AccessLevel.department,
        [],
        [],
        "docx",
        date(2025, 2, 20),
        [
            "포항시 복지정책과 전용: 기초생활수급자 사례관리 인력 재배치 방안.",
        ],
    ),
    (
        "doc-restr-user",
        DEPT_B,
        AccessLevel.restricted,
        ["kim"],
        [],
        "pdf",
        date(2023, 11, 2),
        [
            "포항시 감사 대응 자료: 특정 사업자 선정 과정 소명서 초안 (지정 열람자 한정).",
        ],
    ),
    (
        "doc-restr-dept",
        DEPT_A,
        AccessLevel.restricted,
        [],
        [DEPT_C],
        "xlsx",
        None,
        [
            "포항시 2026년 예산 편성 가이드라인: 부서별 한도액 시뮬레이션 표.",
        ],
    ),
]


def make_chunks(version: int = 1) -> list[Chunk]:
    chunks = []
    for doc_id, dept, access, au, ad, dtype, d, passages in DOCS:
        meta = DocumentMeta(
            doc_id=doc_id,
            version=version,
            title=f"{doc_id} 제목",
            department=dept,
            access_level=access,
            allowed_users=au,
            allowed_departments=ad,
            source_path=f"/corpus/{doc_id}.{dtype}",
            doc_type=dtype,
            doc_date=d,
            content_hash=f"hash-{doc_id}-{version}",
        )
        pos = 0
        for i, text in enumerate(passages):
            chunks.append(
                Chunk(
                    chunk_id=f"{doc_id}:{version}:{i}",
                    ordinal=i,
                    text=text,
                    meta=meta,
                    page=i + 1 if dtype == "pdf" else None,
                    section="개요 > 현황" if i == 0 else None,
                    paragraph_index=i if dtype != "pdf" else None,
                    char_start=pos,
                    char_end=pos + len(text),
                )
            )
            pos += len(text) + 1
    return chunks


PRINCIPALS = {
    "anonymous": Principal.anonymous(),
    "staff_a": Principal(username="lee", department=DEPT_A),
    "staff_b": Principal(username="park", department=DEPT_B),
    "kim_in_c": Principal(username="kim", department=DEPT_C),
    "staff_c": Principal(username="choi", department=DEPT_C),
    "admin": Principal(username="root", department=None, roles={Role.admin}),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> str:
    """A real local ``chroma run`` server (the HttpClient backend), on a free loopback port."""
    exe = shutil.which("chroma") or str(Path(__file__).resolve().parents[1] / ".venv/bin/chroma")
    if not Path(exe).exists():
        pytest.skip("chroma CLI not installed")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma_server")
    log = open(path / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                pytest.fail(f"chroma server exited: {(path / 'server.log').read_text()}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("chroma server did not start within 30 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def embedder(models_dir, tmp_path_factory):
    """One real embedder (the prepared multilingual-e5-small) shared by the whole session."""
    from control_tower.embeddings import Embedder
    from control_tower.settings import Settings

    s = Settings(
        _env_file=None, data_dir=tmp_path_factory.mktemp("embedder"), models_dir=models_dir
    )
    return Embedder(s)
