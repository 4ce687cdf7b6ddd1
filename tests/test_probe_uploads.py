"""Probes of the upload path as a user who may write to a department but may not read all of
its documents: uploading a file under the name of a document one cannot read must neither
replace that document nor tell the uploader that it exists (job items, upload responses).
Plus hostile upload form fields (NUL bytes, NFD department names, huge fields).
Real app, real jobs, real pipeline and index (the shared upload fixtures)."""

from __future__ import annotations

import unicodedata

import pytest

from tests import upload_helpers
from tests.upload_helpers import upload, upload_and_wait

app_client = upload_helpers.app_client  # fixture

NAME = "감사 대응 자료.txt"
SECRET = "qzsecretauditphrase 특정 사업자 선정 소명서 초안입니다.\n".encode()


def _restricted_by_admin(c) -> dict:
    """The admin puts a restricted document (allow-list: the admin only) into 교통정책과."""
    job = upload_and_wait(
        c, [(NAME, SECRET)], c.keys["admin"], department="교통정책과", access="restricted"
    )
    item = job["items"][0]
    assert item["status"] == "indexed", job
    return item["data"]


def _admin_sees_secret(c, doc_id: str) -> bool:
    r = c.get(
        "/api/v1/search",
        params={"q": "qzsecretauditphrase", "mode": "sparse"},
        headers=c.keys["admin"],
    )
    assert r.status_code == 200, r.text
    return any(
        h["doc_id"] == doc_id and "qzsecretauditphrase" in h["text"] for h in r.json()["results"]
    )


@pytest.mark.parametrize("uploader", ["kim", "ai"])  # the department's staff; the AI division
def test_upload_cannot_replace_a_document_the_uploader_cannot_read(app_client, uploader):
    from tests.auth_helpers import api_key, make_user

    c = app_client
    store = c.app.state.services.store
    make_user(store, "ai", "AI혁신과", ["ai_division"])  # may upload for every department
    keys = {**c.keys, "ai": api_key(store, "ai")}
    secret = _restricted_by_admin(c)
    hidden = c.get(f"/api/v1/documents/{secret['doc_id']}", headers=keys[uploader])
    assert hidden.status_code == 404
    job = upload_and_wait(
        c,
        [(NAME, "누구나 볼 수 있는 다른 내용입니다.\n".encode())],
        keys[uploader],
        department="교통정책과",
        access="public",
    )
    item = job["items"][0]
    # the uploader learns nothing about the hidden document …
    assert item["status"] == "indexed", item
    assert item["data"]["doc_id"] != secret["doc_id"], item
    # … and the hidden document is untouched: same access, same text
    rec = c.get(f"/api/v1/documents/{secret['doc_id']}", headers=c.keys["admin"]).json()
    assert rec["access_level"] == "restricted" and rec["version"] == 1, rec
    assert _admin_sees_secret(c, secret["doc_id"])


def test_replacing_upload_does_not_expose_the_hidden_history(app_client):
    c = app_client
    secret = _restricted_by_admin(c)
    hidden = c.get(f"/api/v1/documents/{secret['doc_id']}/versions", headers=c.keys["admin"])
    hidden_hashes = {v["content_hash"] for v in hidden.json()}
    job = upload_and_wait(
        c, [(NAME, "공개 내용입니다.\n".encode())], c.keys["kim"], access="public"
    )
    doc_id = job["items"][0]["data"]["doc_id"]
    seen = c.get(f"/api/v1/documents/{doc_id}/versions", headers=c.keys["kim"])
    assert seen.status_code == 200, seen.text
    assert hidden_hashes.isdisjoint({v["content_hash"] for v in seen.json()}), seen.json()


def test_owner_department_staff_can_still_version_their_own_documents(app_client):
    """The rule the fix must keep: re-uploading a readable document makes a new version."""
    c = app_client
    first = upload_and_wait(c, [("주차 계획.txt", "첫 판입니다.\n".encode())], c.keys["kim"])
    second = upload_and_wait(c, [("주차 계획.txt", "둘째 판입니다.\n".encode())], c.keys["kim"])
    assert second["items"][0]["status"] == "updated"
    assert second["items"][0]["data"]["doc_id"] == first["items"][0]["data"]["doc_id"]


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"department": "교통\x00정책과"}, 400),
        ({"department": unicodedata.normalize("NFD", "교통정책과")}, 202),
        ({"department": "교통정책과/../복지정책과"}, 400),
        ({"department": "과" * 70_000}, 400),
        ({"access": "public\x00"}, 400),
        ({"access": "restricted", "allowed_users": "a\x00b"}, 202),
    ],
)
def test_hostile_upload_fields(app_client, form, code):
    c = app_client
    r = upload(c, [("필드 시험.txt", "내용\n".encode())], c.keys["kim"], **form)
    assert r.status_code in (code, 413) if code == 400 else r.status_code == code, r.text
    assert "Traceback" not in r.text
    if r.status_code == 202:
        assert r.json()["department"] == "교통정책과"  # NFD given, the one NFC department used


def test_nfd_department_filter_on_the_documents_api_is_the_same_department(app_client):
    c = app_client
    job = upload_and_wait(c, [("정규화 시험.txt", "내용입니다.\n".encode())], c.keys["kim"])
    doc_id = job["items"][0]["data"]["doc_id"]
    nfd = unicodedata.normalize("NFD", "교통정책과")
    for dept in ("교통정책과", nfd, f" {nfd} "):
        r = c.get("/api/v1/documents", params={"department": dept}, headers=c.keys["kim"])
        assert r.status_code == 200
        assert [d["doc_id"] for d in r.json()["documents"]] == [doc_id], dept


def test_moved_or_demoted_users_lose_access_on_their_live_credentials(app_client):
    """Access follows the account as it is now, not as it was when the session/key was made."""
    from fastapi.testclient import TestClient

    from tests.auth_helpers import login, make_user

    c = app_client
    job = upload_and_wait(
        c,
        [("부서 전용.txt", "교통정책과 전용 qzmovedsecret 자료.\n".encode())],
        c.keys["kim"],
        access="department",
    )
    doc_id = job["items"][0]["data"]["doc_id"]
    web = TestClient(c.app, follow_redirects=False)
    login(web, "kim")
    assert web.get(f"/api/v1/documents/{doc_id}").status_code == 200
    r = c.patch(
        "/api/v1/admin/users/kim", json={"department": "복지정책과"}, headers=c.keys["admin"]
    )
    assert r.status_code == 200, r.text
    assert web.get(f"/api/v1/documents/{doc_id}").status_code == 404  # the old session
    assert c.get(f"/api/v1/documents/{doc_id}", headers=c.keys["kim"]).status_code == 404
    assert "qzmovedsecret" not in web.get("/documents").text
    # a demoted admin's key and session stop being an admin's at once
    store = c.app.state.services.store
    make_user(store, "root2", "정보통신과", ["admin"])
    from tests.auth_helpers import api_key

    key = api_key(store, "root2")
    admin_web = TestClient(c.app, follow_redirects=False)
    login(admin_web, "root2")
    assert admin_web.get("/api/v1/admin/users").status_code == 200
    r = c.patch("/api/v1/admin/users/root2", json={"roles": ["staff"]}, headers=c.keys["admin"])
    assert r.status_code == 200, r.text
    assert c.get("/api/v1/admin/users", headers=key).status_code == 403
    assert admin_web.get("/api/v1/admin/users").status_code == 403
    assert admin_web.get("/admin/users").status_code == 403
    assert c.get(f"/api/v1/documents/{doc_id}", headers=key).status_code == 404


def test_upload_over_a_hidden_name_looks_like_any_other_upload_to_the_uploader(app_client):
    """After the fix (a separate document instead of a new version), the uploader must still
    not be able to tell that a hidden document of that name exists: the job, the document's
    summary and the documents page show the name as uploaded, with nothing added."""
    from fastapi.testclient import TestClient

    from tests.auth_helpers import login

    c = app_client
    _restricted_by_admin(c)
    job = upload_and_wait(c, [(NAME, "내 자료입니다.\n".encode())], c.keys["kim"])
    item = job["items"][0]
    assert item["status"] == "indexed", item
    doc = c.get(f"/api/v1/documents/{item['data']['doc_id']}", headers=c.keys["kim"]).json()
    web = TestClient(c.app, follow_redirects=False)
    login(web, "kim")
    page = web.get("/documents").text
    stem = NAME.rsplit(".", 1)[0]
    for label, text in (("job", str(job)), ("summary", str(doc)), ("page", page)):
        assert f"{stem} (kim" not in text, (label, doc.get("location"))
    assert doc["location"] == f"교통정책과/{NAME}", doc


def test_reupload_over_a_hidden_name_versions_like_any_other_name(app_client):
    """The second upload of a name makes a new version of the uploader's own document — as for
    any name — not a third document (that difference would again reveal the hidden one)."""
    c = app_client
    _restricted_by_admin(c)
    runs = {}
    for name in (NAME, "숨김 없는 이름.txt"):  # over a hidden document / a fresh name
        first = upload_and_wait(c, [(name, "첫 판입니다.\n".encode())], c.keys["kim"])
        second = upload_and_wait(c, [(name, "둘째 판입니다.\n".encode())], c.keys["kim"])
        a, b = first["items"][0], second["items"][0]
        same_doc = a["data"]["doc_id"] == b["data"]["doc_id"]
        doc = c.get(f"/api/v1/documents/{b['data']['doc_id']}", headers=c.keys["kim"]).json()
        runs[name] = (a["status"], b["status"], same_doc, doc["version"], doc["location"][-4:])
    assert runs[NAME] == runs["숨김 없는 이름.txt"] == ("indexed", "updated", True, 2, ".txt")
