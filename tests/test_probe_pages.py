"""Probe: no page of the app runs or loads anything from another site. A script from a CDN
runs on the app's origin with the signed-in user's cookies — it could read every document the
user may read — and the project rule is that nothing is fetched from a CDN at run time (the
city network may have no internet at all)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.auth_helpers import login, make_user

# src=/href= of scripts, styles, fonts, images and frames; plain <a href> links are fine
ASSET = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?(https?:)?//", re.I
)
CSS_URL = re.compile(r"url\(\s*[\"']?(?:https?:)?//", re.I)
JS_URL = re.compile(
    r"[\"'](?:https?:)?//(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}/[^\"']*\.(?:js|css)", re.I
)

UI_PAGES = [
    "/search",
    "/search?q=주차",
    "/documents",
    "/password",
    "/admin",
    "/admin/users",
    "/admin/departments",
    "/admin/api-keys",
    "/admin/audit",
    "/usage",
]
API_DOC_PAGES = ["/api/docs", "/redoc", "/docs/oauth2-redirect"]


@pytest.fixture
def admin_client(settings):
    from serving.app import create_app

    app = create_app(settings)
    make_user(app.state.services.store, "root", "정보통신과", ["admin"])
    c = TestClient(app, follow_redirects=False)
    login(c, "root")
    return c


def _off_site(text: str, own: str = "testserver") -> list[str]:
    """Asset URLs on another host (absolute URLs on the app's own host are left to the
    Host-header test below)."""
    found = []
    for rx in (ASSET, CSS_URL, JS_URL):
        for m in rx.finditer(text):
            rest = text[m.end() : m.end() + 200]
            if not rest.startswith((f"{own}/", f"{own}:")):
                found.append((m.group(0) + rest)[:160])
    return found


def test_ui_pages_load_nothing_from_other_sites(admin_client):
    anonymous = TestClient(admin_client.app, follow_redirects=False)
    for url in ("/login", "/setup"):
        r = anonymous.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        assert _off_site(r.text) == [], url
    for url in UI_PAGES:
        r = admin_client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert _off_site(r.text) == [], url


def test_api_doc_pages_load_nothing_from_other_sites(admin_client):
    for url in API_DOC_PAGES:
        r = admin_client.get(url)
        if r.status_code == 404:
            continue  # turned off is fine
        assert _off_site(r.text) == [], url


def test_pages_do_not_build_asset_urls_from_the_host_header(admin_client):
    for url in UI_PAGES:
        r = admin_client.get(url, headers={"Host": "evil.example"})
        assert "evil.example" not in r.text, url
