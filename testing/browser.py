"""Real-browser fixtures: ``sampark serve`` in a subprocess, driven by Debian's Chromium.

Each test module gets its own server (a real uvicorn process on a free loopback port) on a
fresh migrated database, on SQLite and, when SAMPARK_TEST_POSTGRES_URL is set, on
PostgreSQL, with the ``served_plugins`` (by default ``sampark_plugins``). Playwright drives
the system ``chromium`` package: its own browser downloads are never used. Every page a test
opens is watched for console errors, uncaught exceptions and Content Security Policy
violations. Playwright is imported only when a browser test runs.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import pytest

from sampark.testing.clients import PASSWORD
from sampark.testing.databases import (
    POSTGRES_VARIABLE,
    migrate,
    postgres_admin,
    postgres_url,
    with_database,
)

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark

CHROMIUM = Path("/usr/bin/chromium")
# Quiet, offline, reproducible: no GPU, no first-run UI, no calls home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The admin every served app has; signs in with PASSWORD.
USERNAME = "asha"
SECRET = "browser-tests-secret-" + "k" * 40
# Playwright waits this long (ms) for an element or a navigation before failing a test.
TIMEOUT_MS = 10_000

T = TypeVar("T")


def _run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a thread of its own.

    Playwright's sync API keeps an event loop on the main thread; a fresh thread gives
    ``asyncio.run`` a clean one whatever the main thread holds.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------


def kernel_do(
    database_url: str, work: Callable[[Sampark], Awaitable[T]], plugins: tuple[str, ...] = ()
) -> T:
    """Run ``work(kernel)`` with a kernel of its own on that database."""

    from sampark.core.kernel import Sampark
    from sampark.core.settings import Settings

    async def run() -> T:
        kernel = Sampark(Settings(database_url=database_url, phone_region="IN", plugins=plugins))
        await kernel.start()
        try:
            with kernel.activate():
                return await work(kernel)
        finally:
            await kernel.close()

    return _run_async(run)


@dataclass(frozen=True)
class Server:
    """A running ``sampark serve``: its address and the database behind it."""

    url: str
    database_url: str
    plugins: tuple[str, ...] = ()

    def kernel_do(self, work: Callable[[Sampark], Awaitable[T]]) -> T:
        """Run ``work(kernel)`` against the served database (to seed or check data)."""
        return kernel_do(self.database_url, work, self.plugins)


@pytest.fixture(scope="module")
def served_plugins(sampark_plugins: tuple[str, ...]) -> tuple[str, ...]:
    """The plugins the module's server runs with: ``sampark_plugins`` unless overridden."""
    return sampark_plugins


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def database_for_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    served_plugins: tuple[str, ...],
) -> Iterator[str]:
    """A fresh database of the module's own, migrated for its plugins, on each engine."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path_factory.mktemp('browser-db') / 'crm.db'}"
        _run_async(lambda: migrate(url, served_plugins, create_db=True))
        yield url
        return
    server = postgres_url()
    if server is None:
        pytest.skip(f"{POSTGRES_VARIABLE} is not set: PostgreSQL browser tests skipped")
    name = f"sampark_browser_{uuid.uuid4().hex[:12]}"
    url = with_database(server, name)
    try:
        _run_async(lambda: migrate(url, served_plugins, create_db=True))
        yield url
    finally:
        _run_async(lambda: postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"sampark serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def server(
    database_for_server: str,
    served_plugins: tuple[str, ...],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """``sampark serve`` on the module's database, with one admin who may sign in."""
    from sampark.core.services import auth

    url = database_for_server
    work = tmp_path_factory.mktemp("browser-server")
    config = work / "sampark.toml"
    plugins = ", ".join(f'"{label}"' for label in served_plugins)
    config.write_text(
        f'database = "{url}"\nphone_region = "IN"\nplugins = [{plugins}]\n\n'
        f'[web]\nsecret_key = "{SECRET}"\n',
        encoding="utf-8",
    )
    kernel_do(
        url,
        lambda kernel: auth.add_user(kernel, USERNAME, password=PASSWORD, roles=("admin",)),
        served_plugins,
    )
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SAMPARK_CONFIG", "SAMPARK_DATABASE_URL", "SAMPARK_PLUGINS"}
    }
    log_path = work / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "sampark", "--config", str(config), "serve"),
                *("--host", "127.0.0.1", "--port", str(port)),
            ],
            env=env,
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    served = Server(url=f"http://127.0.0.1:{port}", database_url=url, plugins=served_plugins)
    try:
        _wait_until_up(served.url, process, log_path)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


# ---------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, once per test module (a fresh temporary profile).

    Module scope, not session: Playwright's sync API runs an event loop on the main thread
    until it stops, and the async tests and ``asyncio.run`` of later modules need it gone.
    """
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install 'sampark[test]')"
    )
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(apt-get install chromium) to run the browser tests"
        )
    with sync_api.sync_playwright() as playwright:
        # Playwright gives each launched browser a new, empty user-data directory of its own.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


# Reports each CSP violation to Python; runs before any page script, on every page.
_CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__samparkCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


def _is_favicon(url: str | None) -> bool:
    return bool(url) and urlsplit(url).path == "/favicon.ico"


@dataclass
class PageWatch:
    """What went wrong in the browser while a test ran: console errors, uncaught script
    errors and Content Security Policy violations, each with the page it happened on."""

    problems: list[str] = field(default_factory=list)

    def take(self) -> list[str]:
        """The problems seen so far (and forget them)."""
        seen, self.problems = self.problems, []
        return seen


@dataclass
class Browsing:
    """One test's browser: a fresh context (no cookies) on the module's server."""

    server: Server
    page: Any
    watch: PageWatch

    def sign_in(self, username: str = USERNAME, password: str = PASSWORD) -> None:
        """Sign in through the login form, as a person would."""
        self.page.goto("/login")
        self.page.locator("#username").fill(username)
        self.page.locator("#password").fill(password)
        self.page.locator("#sign-in").click()
        self.page.wait_for_url(re.compile(r"/$"))

    def assert_refused(self, status: int, path: str) -> None:
        """The page at ``path`` was answered with ``status`` (Chromium logs that as a console
        error) and nothing else went wrong."""
        problems = self.watch.take()
        expected = f"status of {status} "
        assert problems, f"expected {path} to be answered with {status}"
        unexpected = [p for p in problems if expected not in p or f"{path})" not in p]
        assert not unexpected, "the browser reported problems:\n" + "\n".join(unexpected)

    def assert_clean(self) -> None:
        """No console error, script error or CSP violation since the last check."""
        problems = self.watch.take()
        assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def open_browser(chromium: Any, server: Server) -> Iterator[Callable[..., Browsing]]:
    """``open_browser(viewport=…)``: a new browser context on the server, watched for problems.

    Each test ends by checking that no page it opened reported a console error, a script
    error or a CSP violation that the test did not take itself.
    """
    opened: list[tuple[Any, PageWatch]] = []

    def open_context(**options: Any) -> Browsing:
        context = chromium.new_context(base_url=server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        watch = PageWatch()
        context.expose_function(
            "__samparkCspViolation", lambda text: watch.problems.append(f"CSP violation: {text}")
        )
        context.add_init_script(_CSP_WATCH)
        page = context.new_page()

        def on_console(message: Any) -> None:
            # Chromium asks for /favicon.ico once per browser, not per page, so its answer
            # lands on whichever test comes first: test_browser_quality checks it instead.
            if message.type == "error" and not _is_favicon(message.location.get("url")):
                source = message.location.get("url") or "?"
                watch.problems.append(f"console error on {page.url}: {message.text} ({source})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: watch.problems.append(f"script error: {error}"))
        opened.append((context, watch))
        return Browsing(server=server, page=page, watch=watch)

    yield open_context
    leftovers = [problem for _, watch in opened for problem in watch.take()]
    for context, _ in opened:
        context.close()
    assert not leftovers, "the browser reported problems:\n" + "\n".join(leftovers)


@pytest.fixture
def browsing(open_browser: Callable[..., Browsing]) -> Browsing:
    """A desktop-sized browser on the server, not signed in."""
    return open_browser(viewport={"width": 1280, "height": 800})
