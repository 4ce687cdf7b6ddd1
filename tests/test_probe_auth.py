"""Hostile-input probes of the account, session and CSRF layer, run against the real app
(real SQLite store, real sessions, real middleware). Each test is the regression test of one
probe: open redirects through ``next=``, CSRF bypass attempts, session fixation, API keys in
the query string, method-override headers, NFD Hangul in user and department names, NUL
bytes, huge fields and very long query strings. No index is needed (nothing here searches).
"""

from __future__ import annotations

import unicodedata

import pytest
from fastapi.testclient import TestClient

from control_tower import accounts
from tests.auth_helpers import PASSWORD, api_key, login, make_user

DEPT = "배터리산업과"
NFD = unicodedata.normalize("NFD", DEPT)


@pytest.fixture
def app(settings):
    from serving.app import create_app

    app = create_app(settings)
    store = app.state.services.store
    make_user(store, "kim", DEPT, ["staff"])
    make_user(store, "root", "정보통신과", ["admin"])
    return app


@pytest.fixture
def client(app):
    return TestClient(app, follow_redirects=False)


def _store(app):
    return app.state.services.store


def _form_login(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    """The browser's way: GET /login (sets ct_csrf), then POST the form with the token."""
    page = client.get("/login")
    assert page.status_code == 200
    token = client.cookies.get("ct_csrf")
    assert token
    data = {"username": username, "password": password, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data)


# --- open redirects ------------------------------------------------------------------------
EVIL_NEXT = [
    "//evil.example",
    "//evil.example/path",
    "https:evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "／／evil.example",  # fullwidth solidus
    "/" + "a" * 5000,
]


def test_login_next_never_leaves_the_site(app):
    for next_url in EVIL_NEXT:  # one app for all values (each login is a fresh browser)
        client = TestClient(app, follow_redirects=False)
        page = client.get("/login", params={"next": next_url})
        assert page.status_code == 200
        assert 'value="//evil' not in page.text and "https://evil" not in page.text
        r = _form_login(client, "kim", next_url=next_url)
        assert r.status_code == 303, r.text
        location = r.headers["location"]
        assert location.startswith("/") and not location.startswith("//"), (next_url, location)
        assert not location.startswith(("/\\", "/\t", "/\n")), (next_url, location)
        # signed in now: GET /login with the same next= redirects too — also only locally
        again = client.get("/login", params={"next": next_url})
        assert again.status_code == 303
        assert again.headers["location"] == location, next_url


def test_login_redirect_from_a_page_keeps_a_local_next(client):
    r = client.get("/documents", params={"job": "//evil.example"})
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/login?next=/documents"), location
    assert "//evil" not in location


# --- CSRF ------------------------------------------------------------------------------------
def test_csrf_token_in_query_string_is_not_accepted(client):
    csrf = login(client, "kim")
    r = client.post("/api/v1/me/api-keys", params={"csrf_token": csrf}, json={"name": "x"})
    assert r.status_code == 403
    assert r.json()["detail"]["code"] == "csrf_failed"
    assert client.get("/api/v1/me/api-keys").json()["keys"] == []


@pytest.mark.parametrize(
    "ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_simple_request_content_types_cannot_post_json_without_token(client, ctype):
    """What a cross-site form can send: text/plain, urlencoded, multipart — all refused."""
    login(client, "kim")
    r = client.post(
        "/api/v1/me/api-keys", content=b'{"name": "csrf"}', headers={"content-type": ctype}
    )
    assert r.status_code == 403, r.text
    assert client.get("/api/v1/me/api-keys").json()["keys"] == []


def test_wrong_csrf_token_in_form_field_is_refused(client):
    login(client, "kim")
    r = client.post("/logout", data={"csrf_token": "x" * 43})
    assert r.status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still signed in


def test_missing_origin_changes_nothing(client):
    """No Origin/Referer header: the token alone decides (with it: ok, without: 403)."""
    csrf = login(client, "kim")
    assert client.post("/api/v1/me/api-keys", json={"name": "a"}).status_code == 403
    ok = client.post("/api/v1/me/api-keys", json={"name": "a"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_another_sessions_token_is_refused(app):
    a, b = TestClient(app), TestClient(app)
    login(a, "kim")
    other = login(b, "root")
    r = a.post("/api/v1/me/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": other})
    assert r.status_code == 403


def test_bad_bearer_next_to_a_good_cookie_is_401_not_a_csrf_bypass(client):
    login(client, "kim")
    r = client.post(
        "/api/v1/me/api-keys", json={"name": "x"}, headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code == 401
    assert client.get("/api/v1/me/api-keys").json()["keys"] == []


def test_planted_login_csrf_cookie_does_not_become_the_session_token(client):
    planted = "p" * 43
    client.cookies.set("ct_csrf", planted)
    r = client.post("/login", data={"username": "kim", "password": PASSWORD, "csrf_token": planted})
    assert r.status_code == 303  # double-submit: the login itself may go through …
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    # … but the session's token is new: the planted value cannot forge requests afterwards
    r = client.post("/api/v1/me/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": planted})
    assert r.status_code == 403


# --- session fixation ------------------------------------------------------------------------
def _login_with_planted_session(app, planted: str):
    """POST the login form from a browser that carries ``planted`` as its session cookie."""
    c = TestClient(app, follow_redirects=False)
    csrf = "c" * 43
    r = c.post(
        "/login",
        data={"username": "kim", "password": PASSWORD, "csrf_token": csrf},
        headers={"Cookie": f"ct_session={planted}; ct_csrf={csrf}"},
    )
    assert r.status_code == 303, r.text
    issued = r.cookies.get("ct_session")
    assert issued and issued != planted
    return c, issued


def test_cookie_set_before_login_does_not_survive_login(app):
    planted = "attacker-chosen-token-000000000000000000"
    c, issued = _login_with_planted_session(app, planted)
    settings = app.state.services.settings
    assert accounts.resolve_session(_store(app), settings, planted) is None
    me = c.get("/api/v1/me", headers={"Cookie": f"ct_session={issued}"})
    assert me.json()["username"] == "kim"


def test_attackers_live_session_dies_when_victim_logs_in(app):
    attacker = TestClient(app)
    login(attacker, "root")
    token = attacker.cookies.get("ct_session")
    # planted in the victim's browser (e.g. through a sibling subdomain), then the victim logs in
    victim, issued = _login_with_planted_session(app, token)
    me = victim.get("/api/v1/me", headers={"Cookie": f"ct_session={issued}"})
    assert me.json()["username"] == "kim"
    assert accounts.resolve_session(_store(app), app.state.services.settings, token) is None


def test_json_login_rotates_too(app, client):
    csrf = login(client, "kim")
    first = client.cookies.get("ct_session")
    # signed in, a second JSON login rides on the cookie: it needs the session's CSRF token
    body = {"username": "kim", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=body).status_code == 403
    r = client.post("/api/v1/auth/login", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    assert client.cookies.get("ct_session") != first
    assert accounts.resolve_session(_store(app), app.state.services.settings, first) is None


# --- API keys only in the Authorization header -----------------------------------------------
def test_api_key_in_query_string_does_not_authenticate(app, client):
    key = api_key(_store(app), "kim")["Authorization"].split()[1]
    for param in ("api_key", "key", "access_token", "token", "apikey"):
        assert client.get("/api/v1/me", params={param: key}).status_code == 401
        assert client.get("/api/v1/documents", params={param: key}).status_code == 401
        assert client.get("/documents", params={param: key}).status_code == 303


def test_api_key_in_cookie_or_other_headers_does_not_authenticate(app, client):
    key = api_key(_store(app), "kim")["Authorization"].split()[1]
    for headers in (
        {"X-API-Key": key},
        {"Authorization": key},
        {"Authorization": f"Token {key}"},
        {"Cookie": f"ct_session={key}"},
    ):
        assert client.get("/api/v1/me", headers=headers).status_code == 401, headers


# --- method override -------------------------------------------------------------------------
@pytest.mark.parametrize("header", ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"])
def test_method_override_headers_are_ignored(app, client, header):
    csrf = login(client, "kim")
    created = client.post("/api/v1/me/api-keys", json={"name": "k"}, headers={"X-CSRF-Token": csrf})
    key_id = created.json()["info"]["id"]
    # GET with an override to DELETE: still a GET (405), the key lives
    r = client.get(f"/api/v1/me/api-keys/{key_id}", headers={header: "DELETE"})
    assert r.status_code == 405
    # a GET claiming to be a POST never logs out (and needs no CSRF token to be harmless)
    r = client.get("/logout", headers={header: "POST"})
    assert r.status_code in (404, 405)
    assert client.get("/api/v1/me").status_code == 200
    # POST ?_method=DELETE: the POST route does not exist for that path
    r = client.post(
        f"/api/v1/me/api-keys/{key_id}",
        params={"_method": "DELETE"},
        headers={"X-CSRF-Token": csrf, header: "DELETE"},
    )
    assert r.status_code == 405
    keys = client.get("/api/v1/me/api-keys").json()["keys"]
    assert [k["revoked_at"] for k in keys if k["id"] == key_id] == [None]


def test_head_on_logout_does_nothing(client):
    login(client, "kim")
    client.head("/logout")
    client.head("/api/v1/auth/logout")
    assert client.get("/api/v1/me").status_code == 200


# --- NFD Hangul: one user, one department ----------------------------------------------------
def test_nfd_username_is_the_same_user(app):
    store = _store(app)
    make_user(store, "배터리", DEPT)
    nfd = unicodedata.normalize("NFD", "배터리")
    assert nfd != "배터리"
    with pytest.raises(accounts.AccountError):
        make_user(store, nfd, DEPT)
    assert [u.username for u in accounts.list_users(store)].count("배터리") == 1
    c = TestClient(app)
    r = c.post("/api/v1/auth/login", json={"username": nfd, "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "배터리"


def test_nfd_department_is_the_same_department(app):
    store = _store(app)
    again = accounts.ensure_department(store, NFD)
    assert again.name == DEPT
    assert [d.name for d in accounts.list_departments(store)].count(DEPT) == 1
    assert all(unicodedata.is_normalized("NFC", d.name) for d in accounts.list_departments(store))


def test_admin_api_refuses_nfd_duplicates(app):
    c = TestClient(app)
    csrf = login(c, "root")
    hdr = {"X-CSRF-Token": csrf}
    r = c.post("/api/v1/admin/departments", json={"name": NFD}, headers=hdr)
    assert r.status_code in (400, 409), r.text
    nfd_user = unicodedata.normalize("NFD", "김철수")
    body = {"username": "김철수", "department": DEPT, "roles": ["staff"], "password": PASSWORD}
    assert c.post("/api/v1/admin/users", json=body, headers=hdr).status_code == 201
    r = c.post("/api/v1/admin/users", json={**body, "username": nfd_user}, headers=hdr)
    assert r.status_code in (400, 409), r.text
    r = c.get(f"/api/v1/admin/users/{nfd_user}")
    assert r.status_code == 200 and r.json()["username"] == "김철수"
    names = [u["username"] for u in c.get("/api/v1/admin/users").json()["users"]]
    assert names.count("김철수") == 1
    depts = [d["name"] for d in c.get("/api/v1/admin/departments").json()["departments"]]
    assert depts.count(DEPT) == 1


def test_nfd_login_failures_count_against_the_same_account(app):
    settings = app.state.services.settings
    c = TestClient(app)
    nfd = unicodedata.normalize("NFD", "배터리")
    make_user(_store(app), "배터리", DEPT)
    for _ in range(settings.login_max_failures):
        c.post("/api/v1/auth/login", json={"username": nfd, "password": "wrong-password-1"})
    r = c.post("/api/v1/auth/login", json={"username": "배터리", "password": PASSWORD})
    assert r.status_code == 429, r.text


# --- NUL bytes, huge and odd fields ----------------------------------------------------------
ODD_USERNAMES = ["kim\x00", "\x00", "ki\x00m", "kim\u202e", "kim\u200b", "k" * 100_000]


def test_odd_usernames_at_login_are_refused_cleanly(app):
    for username in ODD_USERNAMES:
        client = TestClient(app, follow_redirects=False)
        r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code in (401, 422), r.text
        assert "detail" in r.json()
        r = _form_login(client, username)
        assert r.status_code in (401, 413, 422), r.text
        assert client.get("/api/v1/me").status_code == 401


def test_huge_login_form_is_refused_before_parsing(client):
    client.get("/login")
    token = client.cookies.get("ct_csrf")
    r = client.post(
        "/login",
        content=b"username=" + b"a" * (2 * 1024 * 1024) + b"&csrf_token=" + token.encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )
    assert r.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        {"username": "n\x00ul", "department": DEPT, "roles": ["staff"], "password": PASSWORD},
        {
            "username": "nul2",
            "department": "배터리\x00과",
            "roles": ["staff"],
            "password": PASSWORD,
        },
        {"username": "nul3", "department": DEPT, "roles": ["staff\x00"], "password": PASSWORD},
        {"username": "x" * 10_000, "department": DEPT, "roles": ["staff"], "password": PASSWORD},
        {"username": "big", "department": "과" * 10_000, "roles": ["staff"], "password": PASSWORD},
    ],
)
def test_admin_user_create_refuses_nul_and_huge_fields(app, body):
    c = TestClient(app)
    hdr = {"X-CSRF-Token": login(c, "root")}
    r = c.post("/api/v1/admin/users", json=body, headers=hdr)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["detail"]
    names = {u.username for u in accounts.list_users(_store(app))}
    assert names == {"kim", "root"}
    assert all("\x00" not in d.name for d in accounts.list_departments(_store(app)))


def test_nul_and_huge_values_in_search_and_filters_never_500(app):
    c = TestClient(app)
    login(c, "kim")
    for params in (
        {"q": "\x00"},
        {"q": "주차\x00장"},
        {"q": "가" * 6_000},
        {"q": unicodedata.normalize("NFD", "가" * 600)},
        {"q": "주차", "department": "\x00" * 10},
        {"q": "주차", "date_from": "2024-13-45"},
        {"q": "주차", "k": "99999999999999999999"},
        {"q": "주차", "mode": "\x00"},
    ):
        r = c.get("/api/v1/search", params=params)
        assert r.status_code < 500, (params, r.status_code, r.text[:200])
        if r.status_code != 200:
            assert isinstance(r.json()["detail"], dict), r.text[:200]


def test_very_long_query_strings_on_pages_never_500(app):
    c = TestClient(app, follow_redirects=False)
    login(c, "kim")
    long = "가" * 5_000  # ~45 KB URL-encoded (httpx refuses longer)
    for url, params in (
        ("/search", {"q": long}),
        ("/login", {"next": "/" + long}),
        ("/admin/audit", {"username": long}),
        ("/usage", {"department": long}),
        ("/documents", {"job": long}),
    ):
        r = c.get(url, params=params)
        assert r.status_code < 500, (url, r.status_code)
        assert long not in r.headers.get("location", "")


# --- path traversal in ids -------------------------------------------------------------------
# (a bare ``..`` segment is resolved by the HTTP client before it is sent, so encoded forms)
TRAVERSAL_IDS = [
    "%2E%2E",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fcontrol_tower.db",
    "....%2F%2F....%2F%2Fetc%2Fpasswd",
    "..\\..\\control_tower.db",
    "%00",
    "a%00b",
]


def test_traversal_ids_are_plain_not_found(app):
    c = TestClient(app, follow_redirects=False)
    csrf = login(c, "root")  # the admin: nothing is hidden by access rules
    hdr = {"X-CSRF-Token": csrf}
    for raw in TRAVERSAL_IDS:
        for method, url in (
            ("GET", f"/api/v1/documents/{raw}"),
            ("GET", f"/api/v1/documents/{raw}/versions"),
            ("DELETE", f"/api/v1/documents/{raw}"),
            ("POST", f"/api/v1/documents/{raw}/reingest"),
            ("GET", f"/api/v1/jobs/{raw}"),
            ("GET", f"/api/v1/jobs/{raw}/events"),
            ("POST", f"/api/v1/jobs/{raw}/cancel"),
            ("DELETE", f"/api/v1/me/api-keys/{raw}"),
            ("GET", f"/api/v1/admin/users/{raw}"),
            ("POST", f"/api/v1/admin/api-keys/{raw}/revoke"),
            ("GET", f"/admin/users/{raw}"),
            ("GET", f"/documents/{raw}/passage"),
        ):
            r = c.request(method, url, headers=hdr)
            assert r.status_code in (404, 405, 400, 422), (method, url, r.status_code, r.text[:200])
            assert "root:x:0:0" not in r.text and "SQLite format" not in r.text
    assert (app.state.services.settings.data_dir / "control_tower.db").exists()


def test_lockout_does_not_reveal_which_user_names_exist(app):
    settings = app.state.services.settings
    answers = {}
    for name in ("kim", "ghost-user"):
        c = TestClient(app)
        for _ in range(settings.login_max_failures + 1):
            r = c.post("/api/v1/auth/login", json={"username": name, "password": "wrong-pass-9"})
        answers[name] = (r.status_code, r.json()["detail"]["code"])
    assert answers["kim"] == answers["ghost-user"], answers


def test_signed_in_answers_are_not_cached(client):
    login(client, "kim")
    for url in ("/documents", "/search", "/api/v1/documents", "/api/v1/me"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "no-store" in r.headers.get("cache-control", ""), (url, dict(r.headers))


def test_another_users_api_key_cannot_be_revoked_or_probed(app):
    store = _store(app)
    root_key = api_key(store, "root")
    root_id = accounts.list_api_keys(store, "root")[0].id
    c = TestClient(app)
    hdr = {"X-CSRF-Token": login(c, "kim")}
    other = c.delete(f"/api/v1/me/api-keys/{root_id}", headers=hdr)
    fake_id = "z" * len(root_id)
    unknown = c.delete(f"/api/v1/me/api-keys/{fake_id}", headers=hdr)
    assert other.status_code == unknown.status_code == 404
    assert other.text.replace(root_id, fake_id) == unknown.text
    assert TestClient(app).get("/api/v1/me", headers=root_key).json()["username"] == "root"
    assert root_id not in c.get("/api/v1/me/api-keys").text


def test_markup_in_next_is_escaped_on_the_login_page(client):
    evil = '/"><script>alert(1)</script>'
    page = client.get("/login", params={"next": evil})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text


def test_setup_is_gone_once_an_admin_exists(app, client):
    client.get("/login")
    token = client.cookies.get("ct_csrf")
    form = {
        "username": "mallory",
        "department": "정보통신과",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        "csrf_token": token,
    }
    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data=form).status_code == 404
    assert accounts.get_user(_store(app), "mallory") is None


def test_no_cross_origin_reads_are_allowed(client):
    login(client, "kim")
    evil = {"Origin": "https://evil.example"}
    pre = client.options(
        "/api/v1/documents",
        headers={**evil, "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in pre.headers
    r = client.get("/api/v1/me", headers=evil)
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-credentials" not in r.headers


def test_trailing_slash_redirects_stay_on_the_site(client):
    for url in ("/search/", "/documents/", "/admin/", "/api/v1/documents/", "/login/"):
        r = client.get(url, headers={"Host": "evil.example"})
        assert "evil.example" not in r.headers.get("location", ""), (url, r.headers)


def test_cross_site_multipart_upload_with_the_session_cookie_is_refused(app, client):
    """A cross-site <form enctype=multipart/form-data> can carry the cookie, never the token."""
    login(client, "kim")
    files = [("files", ("csrf.txt", "내용\n".encode(), "text/plain"))]
    r = client.post("/api/v1/documents", files=files, data={"csrf_token": "x" * 43})
    assert r.status_code == 403, r.text
    staging = app.state.services.settings.data_dir / "jobs" / "staging"
    assert not staging.exists() or list(staging.iterdir()) == []
    assert client.get("/api/v1/jobs").json() == []


COMPAT_JAMO = "ㅂㅐㅌㅓ리"  # compatibility jamo (U+3142 …): NFKC composes it to 배터리, NFC not


def test_compatibility_jamo_names_are_not_a_second_department_or_user(app):
    store = _store(app)
    assert unicodedata.normalize("NFKC", COMPAT_JAMO) == "배터리"
    make_user(store, "배터리", DEPT)
    try:
        accounts.ensure_department(store, f"{COMPAT_JAMO}산업과")
    except accounts.AccountError:
        pass  # refusing is as good as mapping onto the same department
    try:
        make_user(store, COMPAT_JAMO, DEPT)
    except accounts.AccountError:
        pass
    depts = [d.name for d in accounts.list_departments(store)]
    users = [u.username for u in accounts.list_users(store)]
    assert f"{COMPAT_JAMO}산업과" not in depts, depts
    assert COMPAT_JAMO not in users, users
