"""`/api/v1/documents`: upload through the real pipeline, permissions, size limit, listing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from control_tower.domain import Principal, Role

KIM = {"X-CT-User": "kim"}  # 교통정책과 staff
PARK = {"X-CT-User": "park"}  # 복지정책과 staff
ADMIN = {"X-CT-User": "admin"}
TEXT = "포항시 교통정책과 주차장 확충 계획입니다. 공영주차장 3곳을 새로 짓습니다.\n".encode()


@pytest.fixture
def client(settings, store, index):
    from serving.app import create_app

    settings = settings.model_copy(update={"max_file_mb": 1})
    app = create_app(settings)
    services = app.state.services
    services.__dict__["store"] = store  # share the test's store and index (one model load)
    services.__dict__["index"] = index
    store.upsert_user(Principal(username="kim", department="교통정책과"))
    store.upsert_user(Principal(username="park", department="복지정책과"))
    store.upsert_user(Principal(username="admin", department="정보통신과", roles={Role.admin}))
    with TestClient(app) as c:
        yield c


def _upload(client, name, data, headers, **form):
    return client.post(
        "/api/v1/documents", files={"file": (name, data, "text/plain")}, data=form, headers=headers
    )


def test_upload_indexes_and_reupload_is_unchanged(client, settings, index):
    r = _upload(client, "주차장.txt", TEXT, KIM, access="department")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "indexed" and body["chunks"] >= 1 and body["filename"] == "주차장.txt"
    saved = settings.data_dir / "uploads" / "교통정책과" / "주차장.txt"
    assert saved.read_bytes() == TEXT and body["path"] == str(saved)
    assert index.chunk_ids(body["doc_id"])["sparse"] == index.chunk_ids(body["doc_id"])["dense"]
    r2 = _upload(client, "주차장.txt", TEXT, KIM, access="department")
    assert r2.status_code == 200 and r2.json()["status"] == "unchanged"
    assert r2.json()["doc_id"] == body["doc_id"]


def test_upload_permissions(client):
    r = _upload(client, "a.txt", TEXT, {}, department="교통정책과")
    assert r.status_code == 401 and "로그인" in r.json()["detail"]["message"]
    r = _upload(client, "a.txt", TEXT, {"X-CT-User": "ghost"})
    assert r.status_code == 401 and "알 수 없는 사용자" in r.json()["detail"]
    r = _upload(client, "a.txt", TEXT, KIM, department="복지정책과")
    assert r.status_code == 403 and "권한이 없습니다" in r.json()["detail"]["message"]
    r = _upload(client, "a.txt", TEXT, ADMIN, department="복지정책과")
    assert r.status_code == 201


def test_oversize_upload_is_rejected_with_413(client, settings):
    big = b"a" * (1024 * 1024 + 10)
    r = _upload(client, "big.txt", big, KIM)
    assert r.status_code == 413 and "최대 크기" in r.json()["detail"]["message"]
    folder = settings.data_dir / "uploads" / "교통정책과"
    assert not folder.exists() or not any(folder.iterdir())  # nothing half-written left


def test_unparseable_upload_reports_reason(client):
    r = _upload(client, "x.bin", b"\x00\x01\x02 garbage" * 20, KIM)
    assert r.status_code == 422
    assert r.json()["status"] == "skipped" and r.json()["reason"] == "unsupported_type"


def test_file_name_cannot_escape_the_upload_folder(client, settings):
    r = _upload(client, "../../../탈출.txt", TEXT, KIM)
    assert r.status_code == 201
    assert (settings.data_dir / "uploads" / "교통정책과" / "탈출.txt").exists()


def test_list_and_get_are_access_checked(client):
    secret = _upload(client, "내부.txt", TEXT, KIM, access="department").json()
    public = _upload(client, "공개.txt", TEXT + b"!", KIM, access="public").json()
    restricted = _upload(
        client, "지정.txt", TEXT + b"?", KIM, access="restricted", allowed_users="park"
    ).json()

    def listed(headers):
        r = client.get("/api/v1/documents", headers=headers)
        assert r.status_code == 200
        return {d["doc_id"] for d in r.json()["documents"]}

    # the uploader of a restricted document is put on its allow-list
    assert listed(KIM) == {secret["doc_id"], public["doc_id"], restricted["doc_id"]}
    assert listed(PARK) == {public["doc_id"], restricted["doc_id"]}
    assert listed({}) == {public["doc_id"]}
    assert client.get(f"/api/v1/documents/{secret['doc_id']}", headers=PARK).status_code == 404
    r = client.get(f"/api/v1/documents/{secret['doc_id']}", headers=KIM)
    assert r.status_code == 200 and r.json()["status"] == "indexed" and r.json()["chunks"] >= 1
    assert client.get("/api/v1/documents/없는문서", headers=ADMIN).status_code == 404
