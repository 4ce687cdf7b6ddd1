"""`/api/v1/documents`: batch upload as a job through the real pipeline, permissions, size
limit, listing without server paths, re-ingest and delete."""

from __future__ import annotations

from tests import upload_helpers
from tests.upload_helpers import TEXT, upload, upload_and_wait, wait_job

app_client = upload_helpers.app_client  # the fixture


def test_upload_indexes_and_reupload_is_unchanged(app_client, settings, index):
    c, kim = app_client, app_client.keys["kim"]
    r = upload(c, [("주차장.txt", TEXT)], kim, access="department")
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["files"][0]["name"] == "주차장.txt"
    assert body["files"][0]["location"] == "교통정책과/주차장.txt"
    assert body["events_url"] == f"/api/v1/jobs/{body['job_id']}/events"
    job = wait_job(c, body["job_id"], kim)
    assert job["state"] == "succeeded", job
    item = job["items"][0]
    assert item["status"] == "indexed" and item["data"]["chunks"] >= 1
    doc_id = item["data"]["doc_id"]
    saved = settings.data_dir / "uploads" / "교통정책과" / "주차장.txt"
    assert saved.read_bytes() == TEXT
    assert index.chunk_ids(doc_id)["sparse"] == index.chunk_ids(doc_id)["dense"]
    again = upload_and_wait(c, [("주차장.txt", TEXT)], kim, access="department")
    assert again["items"][0]["status"] == "unchanged"
    assert again["items"][0]["data"]["doc_id"] == doc_id
    staging = settings.data_dir / "jobs" / "staging"
    assert not any(staging.iterdir())  # every staged file moved into place


def test_single_file_field_and_many_files(app_client):
    c, kim = app_client, app_client.keys["kim"]
    r = c.post("/api/v1/documents", files={"file": ("하나.txt", TEXT, "text/plain")}, headers=kim)
    assert r.status_code == 202, r.text
    assert wait_job(c, r.json()["job_id"], kim)["items"][0]["status"] == "indexed"
    files = [(f"여러개{i}.txt", TEXT + str(i).encode()) for i in range(3)]
    files.append(("깨진.bin", b"\x00\x01\x02 garbage" * 20))
    job = upload_and_wait(c, files, kim)
    assert job["state"] == "succeeded" and job["progress_done"] == job["progress_total"] == 4
    statuses = [i["status"] for i in job["items"]]
    assert statuses == ["indexed", "indexed", "indexed", "skipped"]
    bad = job["items"][3]
    assert bad["data"]["reason"] == "unsupported_type" and bad["message"]  # Korean reason
    assert job["result"]["counts"] == {"indexed": 3, "skipped": 1}


def test_upload_permissions(app_client):
    c, keys = app_client, app_client.keys
    r = upload(c, [("a.txt", TEXT)], {}, department="교통정책과")
    assert r.status_code == 401 and "로그인" in r.json()["detail"]["message"]
    r = upload(c, [("a.txt", TEXT)], {"X-CT-User": "admin"})  # a forged header is ignored
    assert r.status_code == 401
    r = upload(c, [("a.txt", TEXT)], keys["kim"], department="복지정책과")
    assert r.status_code == 403 and "권한이 없습니다" in r.json()["detail"]["message"]
    r = upload(c, [("a.txt", TEXT)], keys["kim"], params={"department": "복지정책과"})
    assert r.status_code == 403  # the query parameter is checked before the body is read
    r = upload(c, [("a.txt", TEXT)], keys["admin"], department="복지정책과")
    assert r.status_code == 202


def test_oversize_upload_is_rejected_with_413(app_client, settings):
    big = b"a" * (1024 * 1024 + 10)
    r = upload(app_client, [("big.txt", big)], app_client.keys["kim"])
    assert r.status_code == 413 and "최대 크기" in r.json()["detail"]["message"]
    assert not any((settings.data_dir / "jobs" / "staging").iterdir())  # nothing half-written
    assert not (settings.data_dir / "uploads").exists()


def test_file_name_cannot_escape_the_upload_folder(app_client, settings):
    job = upload_and_wait(app_client, [("../../../탈출.txt", TEXT)], app_client.keys["kim"])
    assert job["items"][0]["status"] == "indexed"
    assert (settings.data_dir / "uploads" / "교통정책과" / "탈출.txt").exists()


def test_list_and_get_are_access_checked_and_hide_server_paths(app_client):
    c, keys = app_client, app_client.keys
    kim, park = keys["kim"], keys["park"]

    def doc_of(job):
        return job["items"][0]["data"]["doc_id"]

    secret = doc_of(upload_and_wait(c, [("내부.txt", TEXT)], kim, access="department"))
    public = doc_of(upload_and_wait(c, [("공개.txt", TEXT + b"!")], kim, access="public"))
    restricted = doc_of(
        upload_and_wait(
            c, [("지정.txt", TEXT + b"?")], kim, access="restricted", allowed_users="park"
        )
    )

    def listed(headers):
        r = c.get("/api/v1/documents", headers=headers)
        assert r.status_code == 200
        return {d["doc_id"]: d for d in r.json()["documents"]}

    # the uploader of a restricted document is put on its allow-list
    assert set(listed(kim)) == {secret, public, restricted}
    assert set(listed(park)) == {public, restricted}
    assert c.get("/api/v1/documents").status_code == 401
    assert all(d["path"] is None for d in listed(kim).values())  # no server paths for people
    assert listed(kim)[secret]["location"] == "교통정책과/내부.txt"
    assert listed(keys["admin"])[secret]["path"].endswith("내부.txt")
    assert c.get(f"/api/v1/documents/{secret}", headers=park).status_code == 404
    assert c.get(f"/api/v1/documents/{secret}/versions", headers=park).status_code == 404
    versions = c.get(f"/api/v1/documents/{secret}/versions", headers=kim).json()
    assert [v["version"] for v in versions] == [1]
    r = c.get(f"/api/v1/documents/{secret}", headers=kim)
    assert r.status_code == 200 and r.json()["status"] == "indexed" and r.json()["chunks"] >= 1
    assert c.get("/api/v1/documents/없는문서", headers=keys["admin"]).status_code == 404


def test_delete_by_owning_department_or_admin(app_client, settings, store, index):
    c, keys = app_client, app_client.keys
    job = upload_and_wait(c, [("지울문서.txt", TEXT)], keys["kim"], access="internal")
    doc_id = job["items"][0]["data"]["doc_id"]
    path = settings.data_dir / "uploads" / "교통정책과" / "지울문서.txt"
    assert path.exists()
    r = c.delete(f"/api/v1/documents/{doc_id}", headers=keys["park"])  # can read, not own
    assert r.status_code == 403 and "권한" in r.json()["detail"]["message"]
    r = c.delete(f"/api/v1/documents/{doc_id}", headers=keys["kim"])
    assert r.status_code == 200 and r.json() == {"doc_id": doc_id, "deleted": True}
    assert store.get_document(doc_id) is None and not path.exists()
    assert not any(index.chunk_ids(doc_id).values())  # out of both indexes
    assert c.delete(f"/api/v1/documents/{doc_id}", headers=keys["kim"]).status_code == 404
    from control_tower.audit import AuditLog

    events = [e for e in AuditLog(store).read() if e.event in ("upload", "delete")]
    assert [e.event for e in events][-1] == "delete" and events[-1].target == doc_id
    assert events[-1].username == "kim"


def test_reingest_runs_as_a_job(app_client, store):
    c, kim = app_client, app_client.keys["kim"]
    job = upload_and_wait(c, [("다시.txt", TEXT)], kim)
    doc_id = job["items"][0]["data"]["doc_id"]
    before = store.get_document(doc_id)
    r = c.post(f"/api/v1/documents/{doc_id}/reingest", headers=kim)
    assert r.status_code == 202, r.text
    again = wait_job(c, r.json()["job_id"], kim)
    assert again["kind"] == "reingest" and again["state"] == "succeeded", again
    assert again["items"][0]["status"] in ("indexed", "updated")
    after = store.get_document(doc_id)
    assert after.status == "indexed" and after.chunk_count == before.chunk_count
    assert after.indexed_at > before.indexed_at
    r = c.post(f"/api/v1/documents/{doc_id}/reingest", headers=c.keys["park"])
    assert r.status_code in (403, 404)
