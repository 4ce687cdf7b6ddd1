"""Regression tests for the upload bullets of issue 7 item 7 (an outside probe of the old app).

Each failed on the old synchronous upload route: parallel uploads of one name shared a
``.NAME.<pid>.partial`` file (500s, lost versions); a 79-syllable Korean name was 241 bytes
(500 "File name too long"); the body was stored before the 401; a ``file`` field without a
file name broke the error handler; 40 uploads waiting for the ingest lock held every server
thread; ``가짜/배터리산업과``, ``..`` and invisible characters reached the file system.
"""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from control_tower.jobs.ingest import WAIT_LOCK
from ingest.lock import ingest_lock
from tests import upload_helpers
from tests.upload_helpers import TEXT, upload, upload_and_wait, wait_job

app_client = upload_helpers.app_client  # fixtures
live_server = upload_helpers.live_server


def _staging_empty(settings) -> bool:
    folder = settings.data_dir / "jobs" / "staging"
    return not folder.exists() or not any(folder.iterdir())


def test_ten_parallel_uploads_of_one_name_lose_nothing(live_server, settings):
    base, keys, _ = live_server
    contents = [
        f"버전 {i}: 주차장 확충 계획의 {i}번째 고친 내용입니다.\n".encode() for i in range(10)
    ]
    with httpx.Client(base_url=base, headers=keys["kim"], timeout=60) as c:

        def send(i):
            files = {"files": ("같은이름.txt", contents[i], "text/plain")}
            return i, c.post("/api/v1/documents", files=files)

        with ThreadPoolExecutor(10) as pool:
            sent = list(pool.map(send, range(10)))
        assert [r.status_code for _, r in sent] == [202] * 10, [r.text for _, r in sent]
        which = {r.json()["job_id"]: i for i, r in sent}
        assert len(which) == 10  # each upload its own job
        jobs = [wait_job(c, job_id, {}) for job_id in which]
        assert all(j["state"] == "succeeded" for j in jobs), jobs
        # every content is a new version: none was taken as "unchanged" without being indexed
        assert sorted(j["items"][0]["status"] for j in jobs) == ["indexed"] + ["updated"] * 9
        in_order = sorted(jobs, key=lambda j: (j["created_at"], j["job_id"]))
        started = sorted(jobs, key=lambda j: j["started_at"])
        assert [j["job_id"] for j in started] == [j["job_id"] for j in in_order]  # ran in order
        order = [which[j["job_id"]] for j in in_order]
        (doc_id,) = {j["items"][0]["data"]["doc_id"] for j in jobs}
        versions = c.get(f"/api/v1/documents/{doc_id}/versions").json()
        want = [hashlib.sha256(contents[i]).hexdigest() for i in order]
        assert [v["content_hash"] for v in versions] == want
        assert [v["version"] for v in versions] == list(range(1, 11))
        doc = c.get(f"/api/v1/documents/{doc_id}").json()
        assert doc["version"] == 10 and doc["status"] == "indexed"
    saved = settings.data_dir / "uploads" / "교통정책과" / "같은이름.txt"
    assert saved.read_bytes() == contents[order[-1]]  # the last complete upload wins
    assert _staging_empty(settings)


def test_korean_name_of_many_syllables(app_client, settings):
    c, kim = app_client, app_client.keys["kim"]
    stem = "포항시교통정책과주차장확충계획" * 7  # 105 syllables, 315 bytes
    job = upload_and_wait(c, [(stem + ".txt", TEXT)], kim)
    assert job["state"] == "succeeded" and job["items"][0]["status"] == "indexed", job
    doc = c.get(f"/api/v1/documents/{job['items'][0]['data']['doc_id']}", headers=kim).json()
    assert doc["title"] == stem  # the full name, not the shortened file-system name
    assert doc["location"] == f"교통정책과/{stem}.txt"
    (on_disk,) = [
        p for p in (settings.data_dir / "uploads" / "교통정책과").iterdir() if p.suffix == ".txt"
    ]
    assert len(on_disk.name.encode()) <= 255 and on_disk.name.startswith("포항시")
    # longer than 200 characters: cut at 200 characters (not bytes), extension kept
    job = upload_and_wait(c, [("가" * 300 + ".txt", TEXT + b"2")], kim)
    assert job["items"][0]["label"] == "가" * 196 + ".txt"
    assert job["items"][0]["status"] == "indexed", job


def _chunked_upload_until_answered(base: str, headers: dict, total_mb: int) -> tuple[bytes, int]:
    """Send a chunked multipart body of ``total_mb`` MB over a raw socket, 1 MB at a time,
    and stop as soon as the server has answered; returns (status line, bytes sent)."""
    import select
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(base)
    sock = socket.create_connection((u.hostname, u.port), timeout=30)
    try:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(
            (
                "POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: multipart/form-data; boundary=BOUND\r\n"
                f"Transfer-Encoding: chunked\r\n{head}\r\n"
            ).encode()
        )

        def chunk(data: bytes) -> bytes:
            return f"{len(data):x}\r\n".encode() + data + b"\r\n"

        sock.sendall(
            chunk(
                b'--BOUND\r\nContent-Disposition: form-data; name="files"; filename="big.txt"'
                b"\r\nContent-Type: text/plain\r\n\r\n"
            )
        )
        block, sent = chunk(b"x" * (1 << 20)), 0
        answered = select.poll()  # poll, not select(): a long test session may hold >1024 fds
        answered.register(sock, select.POLLIN)
        for _ in range(total_mb):
            if answered.poll(0):
                break  # the answer is there
            try:
                sock.sendall(block)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1 << 20
        reply = sock.recv(65536)
        return reply.split(b"\r\n", 1)[0], sent
    finally:
        sock.close()


def test_big_unauthenticated_body_is_refused_before_it_is_stored(live_server, settings):
    base, keys, _ = live_server
    total_mb = 300
    for headers, status in (({}, b"401"), (keys["kim"], b"413")):  # nobody; over 1 MB
        line, sent = _chunked_upload_until_answered(base, headers, total_mb)
        assert status in line, line
        assert sent < 50 * (1 << 20), f"answered only after {sent >> 20} MB"
        assert _staging_empty(settings)
        assert not (settings.data_dir / "uploads").exists()
    r = httpx.get(base + "/healthz", timeout=5)
    assert r.status_code == 200


def test_file_field_without_a_file_name_is_a_korean_400(app_client):
    c, kim = app_client, app_client.keys["kim"]
    r = c.post("/api/v1/documents", files={"file": (None, b"not a file")}, headers=kim)
    assert r.status_code == 400, r.text
    body = r.json()["detail"]
    assert body["code"] == "missing_file_name" and "파일" in body["message"]
    r = c.post("/api/v1/documents", data={"department": "교통정책과"}, headers=kim)
    assert r.status_code == 400  # not multipart at all


def test_forty_waiting_uploads_do_not_block_healthz(live_server, settings):
    base, keys, _ = live_server
    with httpx.Client(base_url=base, headers=keys["kim"], timeout=30) as c:
        with ingest_lock(settings.data_dir):  # a long `ct ingest` holds the lock
            t0 = time.monotonic()

            def send(i):
                files = {"files": (f"대기{i}.txt", TEXT + str(i).encode(), "text/plain")}
                return c.post("/api/v1/documents", files=files)

            with ThreadPoolExecutor(40) as pool:
                answers = list(pool.map(send, range(40)))
            assert [r.status_code for r in answers] == [202] * 40
            assert time.monotonic() - t0 < 20
            t1 = time.monotonic()
            assert httpx.get(base + "/healthz", timeout=5).status_code == 200
            assert time.monotonic() - t1 < 2
            rows = [c.get(f"/api/v1/jobs/{r.json()['job_id']}").json() for r in answers]
            ids = [j["job_id"] for j in sorted(rows, key=lambda j: (j["created_at"], j["job_id"]))]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # the first job waits for the lock, in the job
                first = c.get(f"/api/v1/jobs/{ids[0]}").json()
                if first["message"] == WAIT_LOCK:
                    break
                time.sleep(0.2)
            assert first["state"] == "running" and first["message"] == WAIT_LOCK, first
            assert all(
                c.get(f"/api/v1/jobs/{i}").json()["state"] in ("queued", "running") for i in ids
            )
            for job_id in ids[2:]:  # keep the test short: two run, the rest are cancelled
                assert c.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 200
        done = [wait_job(c, job_id, {}) for job_id in ids]
    assert [j["state"] for j in done[:2]] == ["succeeded", "succeeded"]
    assert {j["state"] for j in done[2:]} == {"cancelled"}


def test_department_tricks_and_hostile_names(app_client, settings, store):
    c, keys = app_client, app_client.keys
    mine = upload_and_wait(c, [("보고서.txt", TEXT)], keys["bat"])
    target = settings.data_dir / "uploads" / "배터리산업과" / "보고서.txt"
    assert mine["items"][0]["status"] == "indexed" and target.read_bytes() == TEXT
    for dept in ("가짜/배터리산업과", "../배터리산업과", "배터리\u200b산업과", "없는과"):
        r = upload(c, [("보고서.txt", b"replaced!")], keys["admin"], department=dept)
        assert r.status_code == 400, (dept, r.text)
        assert r.json()["detail"]["code"] == "unknown_department"
        assert "등록되지 않은 부서" in r.json()["detail"]["message"]
    assert target.read_bytes() == TEXT  # 배터리산업과's document was not replaced
    for name in ("..", ".", "", "a/..", " . "):
        r = upload(c, [(name, TEXT)], keys["kim"])
        assert r.status_code == 400, (name, r.text)
        # an empty name may arrive as no name at all (the client drops filename="")
        assert r.json()["detail"]["code"] in ("bad_file_name", "missing_file_name")
        assert "파일" in r.json()["detail"]["message"]
    assert not (settings.data_dir / "uploads" / "교통정책과").exists()
    assert _staging_empty(settings)
    hidden = "주\u200b차\u202e장\u2066계획\ufeff\u200f.txt"
    job = upload_and_wait(c, [(hidden, TEXT + b"rtl")], keys["kim"])
    assert job["items"][0]["label"] == "주차장계획.txt"
    doc = store.get_document(job["items"][0]["data"]["doc_id"])
    assert doc.title == "주차장계획" and doc.source_path.endswith("/주차장계획.txt")
