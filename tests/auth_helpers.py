"""Log in like a browser does, for every test that talks to the web app.

    from tests.auth_helpers import login, make_user
    make_user(store, "kim", "교통정책과", ["staff"])       # password: PASSWORD
    csrf = login(client, "kim")                             # the client now holds the cookie
    client.post("/api/v1/...", headers={"X-CSRF-Token": csrf})

``login`` returns the session's CSRF token; state-changing requests made with the session
cookie must send it in ``X-CSRF-Token`` (or the ``csrf_token`` form field). ``auth_headers``
gives the header dict. Bearer API keys need no CSRF token (``api_key``).
"""

from __future__ import annotations

from collections.abc import Iterable

PASSWORD = "test-password-2026"


def make_user(
    store,  # noqa: ANN001 - control_tower.store.Store
    username: str,
    department: str,
    roles: Iterable[str] = ("staff",),
    password: str | None = PASSWORD,
    *,
    display_name: str | None = None,
):
    """Create the department (if missing) and the user; returns ``UserInfo``."""
    from control_tower.accounts import create_user, ensure_department

    ensure_department(store, department)
    return create_user(
        store,
        username,
        department=department,
        roles=list(roles),
        password=password,
        display_name=display_name,
    )


def login(client, username: str, password: str = PASSWORD) -> str:  # noqa: ANN001
    """JSON login on a TestClient; the session cookie stays in ``client.cookies``.
    Returns the CSRF token of the new session."""
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def auth_headers(csrf_token: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf_token}


def logout(client) -> None:  # noqa: ANN001
    client.cookies.clear()


def api_key(store, username: str, name: str = "test") -> dict[str, str]:  # noqa: ANN001
    """A new API key of ``username`` as request headers (for cookie-less clients)."""
    from control_tower.accounts import create_api_key

    return {"Authorization": f"Bearer {create_api_key(store, username, name).key}"}
