"""Browser-test fixtures: the real app (one server for the whole session), Debian's chromium
driven by Playwright, and pages that fail their test on any JavaScript error, console error,
failed request or unexpected >= 400 response, with a screenshot of every page they load in
``test-artifacts/screenshots/<test>-<n>.png``.

Chromium is always /usr/bin/chromium from Debian (installed by `make setup`); Playwright's own
browser download (`playwright install`) is never used — the machines have no internet.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.server import (
    REPO_ROOT,
    WORK_DIR,
    LiveServer,
    prepare_data_dir,
    start_server,
)

CHROMIUM = Path(os.environ.get("CT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
_screenshots_cleared = False


def _missing(reason: str) -> None:
    """Skip where the browser cannot exist; in CI a missing browser is a failure, so a green CI
    never means the browser tests did not run."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        _missing(
            f"{CHROMIUM} 없음 — `make setup`이 apt로 Debian chromium을 설치합니다 "
            f"(no {CHROMIUM}: run `make setup` or `apt-get install chromium`)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("playwright not installed in the venv (dev extra): run `make setup`")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(models_dir: Path) -> Iterator[LiveServer]:
    """`ct serve --demo --no-llm` on a free port, demo corpus ingested, shared by every test.
    Its files live under test-artifacts/ (not pytest's tmp dirs, which a concurrent pytest run
    on the same machine may prune while our server still uses them)."""
    for old in WORK_DIR.glob("run-*"):  # left by killed runs (a live one's pid still exists)
        pid = old.name.removeprefix("run-")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(old, ignore_errors=True)
    work = WORK_DIR / f"run-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    data_dir, lock = prepare_data_dir(models_dir, work / "data")
    server = start_server(data_dir, models_dir, work / "serve.log", lock)
    yield server
    server.stop()
    shutil.copy(server.log_path, WORK_DIR / "last-serve.log")
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="package")
def pw_browser(chromium_path: Path):
    """Package-scoped, not session-scoped: Playwright's sync API keeps its asyncio loop marked
    as running in this thread while it is open, so every later test calling ``asyncio.run``
    (the chat service, the checkpointer, ``ct chat``) would fail after the browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageWatch:
    """Collects what went wrong on the pages of one test. ``allow(status, url_re)`` declares a
    response the test expects (a 404 page, a refused login), so it is not counted."""

    base_url: str
    test_name: str
    problems: list[str] = field(default_factory=list)
    allowed: list[tuple[int, re.Pattern]] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def allow(self, status: int, url_re: str) -> None:
        self.allowed.append((status, re.compile(url_re)))

    def _is_allowed(self, status: int, url: str) -> bool:
        return any(s == status and rx.search(url) for s, rx in self.allowed)

    def shot(self, page, label: str = "") -> Path | None:
        """Screenshot of the whole page as it is now (None if that failed: a crashed page).

        Taken from the test's own flow only — after every goto/reload/back, in the helpers'
        login/logout/search, and at the end — never from a ``load`` event handler: such a
        screenshot runs in Playwright's event greenlet, races the test's next step and stalls
        Chromium for the whole timeout."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        suffix = f"-{label}" if label else ""
        path = SCREENSHOTS / f"{self.test_name}-{len(self.shots) + 1:02d}{suffix}.png"
        self.shots.append(path)
        try:
            page.screenshot(path=str(path), full_page=True, timeout=10_000)
        except Exception:  # noqa: BLE001 - the page's own errors are reported separately
            return None
        return path

    def attach(self, page) -> None:
        page.on("pageerror", lambda exc: self.problems.append(f"JavaScript error: {exc}"))
        page.on("console", self._on_console)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.ct_watch = self  # tests.browser.helpers.snap() finds it here
        for name in ("goto", "reload", "go_back"):
            self._shoot_after(page, name)

    def _shoot_after(self, page, name: str) -> None:
        navigate = getattr(page, name)

        def navigate_and_shoot(*args, **kwargs):
            response = navigate(*args, **kwargs)
            self.shot(page)
            return response

        setattr(page, name, navigate_and_shoot)

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        m = re.search(r"status of (\d{3})", msg.text)
        if m and self._is_allowed(int(m.group(1)), url):
            return
        self.problems.append(f"console error: {msg.text} ({url})")

    def _on_request_failed(self, request) -> None:
        failure = request.failure or ""
        # A job's progress stream (SSE) ends as ERR_ABORTED when the page closes it after the
        # job's last event, or navigates away: the client's doing, not a failure.
        if "ERR_ABORTED" in failure and request.url.split("?")[0].endswith("/events"):
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({failure})")

    def _on_response(self, response) -> None:
        url = response.url
        if response.status < 400 or not url.startswith(self.base_url):
            return
        if self._is_allowed(response.status, url):
            return
        self.problems.append(
            f"HTTP {response.status}: {response.request.method} {url} "
            f"({response.request.resource_type})"
        )


def _test_name(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")[:120]


@pytest.fixture
def watch(live_server: LiveServer, request: pytest.FixtureRequest) -> PageWatch:
    global _screenshots_cleared
    if not _screenshots_cleared:  # one run's screenshots, not a pile from every run
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        _screenshots_cleared = True
    return PageWatch(live_server.base_url, _test_name(request))


@pytest.fixture
def new_page(pw_browser, live_server: LiveServer, watch: PageWatch) -> Iterator[Callable]:
    """``new_page()`` opens a page in a fresh browser context (own cookies: one user each)."""
    contexts = []

    def open_page(viewport: dict | None = None):
        ctx = pw_browser.new_context(
            base_url=live_server.base_url,
            locale="ko-KR",
            timezone_id="Asia/Seoul",
            viewport=viewport or {"width": 1280, "height": 860},  # a laptop
        )
        ctx.set_default_timeout(20_000)
        contexts.append(ctx)
        page = ctx.new_page()
        watch.attach(page)
        return page

    yield open_page
    for ctx in contexts:
        for page in ctx.pages:
            watch.shot(page, "end")
        ctx.close()
    if watch.problems:
        pytest.fail("problems on the page:\n  " + "\n  ".join(watch.problems), pytrace=False)


@pytest.fixture
def page(new_page: Callable):
    return new_page()
