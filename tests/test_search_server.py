"""A 10,000-character Korean query against a real uvicorn server gets the app's Korean JSON
error, not h11's plain-text English 400 (its 16 KB request-line limit answered first)."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import quote

import httpx
import pytest

from control_tower.cli.serve import uvicorn_options
from control_tower.health import StartupState
from serving.app import create_app
from tests.auth_helpers import login, make_user
from tests.uvicorn_thread import serving


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


@pytest.fixture
def app(settings):
    app = create_app(settings, startup=StartupState(phase="ready", llm_required=False))
    make_user(app.state.services.store, "lee", "교통정책과", ["staff"])
    return app


def _raw_get(port: int, target: str, cookie: str) -> tuple[int, str, bytes]:
    """One HTTP/1.1 GET over a socket (httpx refuses URLs over 64 KB on the client side).
    Returns (status, content type, body); the server may close early on a refused head."""
    request = (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        # In pieces, as over a real network: h11 checks its limit whenever the buffered,
        # still incomplete head grows (a loopback sendall can arrive as one read).
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            for start in range(0, len(request), 4096):
                s.sendall(request[start : start + 4096])
                time.sleep(0.005)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the whole head was sent
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    content_type = next(
        (
            line.split(":", 1)[1].strip()
            for line in lines
            if line.lower().startswith("content-type")
        ),
        "",
    )
    return status, content_type, body


def _session_cookie(port: int) -> str:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        login(client, "lee")
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def test_long_korean_query_gets_the_korean_json_error(app, settings):
    with serving(app, **uvicorn_options(settings)) as base_url:
        port = _port(base_url)
        cookie = _session_cookie(port)
        target = "/api/v1/search?q=" + quote("가" * 10_000)
        assert len(target) > 16 * 1024 * 5  # ~90 KB: far over h11's default
        status, content_type, body = _raw_get(port, target, cookie)
        assert status == 400, body[:300]
        assert content_type.startswith("application/json")
        detail = json.loads(body)["detail"]
        assert detail["code"] == "query_too_long"
        assert detail["message"].startswith("검색어가 너무 깁니다")


def test_without_the_option_h11_answers_first(app):
    # The root cause, kept visible: uvicorn's default refuses the request line itself.
    with serving(app, http="h11") as base_url:
        port = _port(base_url)
        cookie = _session_cookie(port)
        status, content_type, body = _raw_get(
            port, "/api/v1/search?q=" + quote("가" * 10_000), cookie
        )
        assert status == 400 and not content_type.startswith("application/json")
