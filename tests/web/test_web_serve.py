"""``sampark serve``, the ``[web]`` settings, and several real workers sharing one database."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from sampark.cli import build_cli
from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.core.services import auth
from sampark.core.settings import Settings, WebSettings, load_settings

SECRET = "s" * 48


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(build_cli(list(args)), list(args))


def _config(path: Path, database_url: str, web: str = f'secret_key = "{SECRET}"') -> Path:
    path.write_text(f'database = "{database_url}"\n\n[web]\n{web}\n', encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def test_web_settings_have_safe_defaults(tmp_path: Path) -> None:
    web = load_settings(_config(tmp_path / "sampark.toml", "sqlite://crm.db", "")).web
    assert web == WebSettings()
    assert web.secret_key is None
    assert web.allowed_hosts == ("127.0.0.1", "localhost")
    assert (web.https_only, web.max_body_bytes) == (False, 1024 * 1024)
    assert web.session_cookie == "sampark_session"
    assert WebSettings(https_only=True).session_cookie == "__Host-sampark"


def test_web_settings_are_read_and_checked(tmp_path: Path) -> None:
    path = _config(
        tmp_path / "sampark.toml",
        "sqlite://crm.db",
        f'secret_key = "{SECRET}"\nallowed_hosts = ["crm.example.in"]\nhttps_only = true\n'
        "max_body_bytes = 4096",
    )
    web = load_settings(path).web
    assert web == WebSettings(SECRET, ("crm.example.in",), True, 4096)
    for line, message in (
        ("colour = 1", "web: unknown option 'colour'"),
        ('secret_key = "short"', "web.secret_key must be a random text of at least 32"),
        ("allowed_hosts = []", "web.allowed_hosts must name at least one host"),
        ('allowed_hosts = "a"', "web.allowed_hosts must be a list"),
        ('https_only = "yes"', "web.https_only must be true or false"),
        ("max_body_bytes = 10", "web.max_body_bytes must be a whole number of bytes"),
    ):
        _config(path, "sqlite://crm.db", line)
        with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
            load_settings(path)


def test_the_secret_key_may_come_from_the_environment(tmp_path: Path) -> None:
    path = _config(
        tmp_path / "sampark.toml", "sqlite://crm.db", 'secret_key = { "$env" = "CRM_SECRET" }'
    )
    assert load_settings(path, env={"CRM_SECRET": SECRET}).web.secret_key == SECRET


def test_init_writes_a_random_secret_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = _invoke("init")
    assert result.exit_code == 0, result.output
    first = load_settings(tmp_path / "sampark.toml").web.secret_key
    assert first and len(first) >= 48
    assert _invoke("init", "--force").exit_code == 0
    assert load_settings(tmp_path / "sampark.toml").web.secret_key != first


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def test_serve_refuses_to_start_without_a_secret_key(database_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path / "sampark.toml", database_url, "")
    result = _invoke("--config", str(config), "serve")
    assert result.exit_code == 1
    assert "[web] secret_key is not set" in result.output


def test_serve_refuses_reload_with_several_workers(database_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path / "sampark.toml", database_url)
    result = _invoke("--config", str(config), "serve", "--reload", "--workers", "2")
    assert result.exit_code == 1
    assert "--reload runs one process" in result.output


def test_serve_runs_the_app_factory_under_uvicorn(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.delenv("SAMPARK_CONFIG", raising=False)
    config = _config(tmp_path / "sampark.toml", database_url)
    result = _invoke("--config", str(config), "serve", "--port", "8123", "--workers", "3")
    assert result.exit_code == 0, result.output
    assert "Serving Sampark at http://127.0.0.1:8123/ (3 workers)" in result.output
    [(args, kwargs)] = calls
    assert args == ("sampark.web.asgi:create_app",)
    assert kwargs["factory"] is True and kwargs["workers"] == 3 and kwargs["port"] == 8123
    assert os.environ["SAMPARK_CONFIG"] == str(config.resolve())


def test_serve_on_a_busy_port_says_so_in_one_line_and_serves_nothing(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(args))
    config = _config(tmp_path / "sampark.toml", database_url)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _invoke("--config", str(config), "serve", "--port", str(port))
    assert result.exit_code == 2
    assert result.output == (
        f"error: port {port} on 127.0.0.1 is in use; choose another with --port\n"
    )
    assert calls == []


def test_serve_reports_a_database_that_needs_migrating(tmp_path: Path) -> None:
    config = _config(tmp_path / "sampark.toml", f"sqlite://{tmp_path / 'new.db'}")
    result = _invoke("--config", str(config), "serve")
    assert result.exit_code == 1
    assert "sampark migrate" in result.output


# ---------------------------------------------------------------------------
# Real workers
# ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[str]:
    """``sampark serve --workers 2`` on the test database, as a separate process."""
    config = _config(tmp_path / "sampark.toml", database_url)
    port = _free_port()
    env = {**os.environ, "SAMPARK_CONFIG": str(config)}
    command = ["serve", "--port", str(port), "--workers", "2"]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "from sampark.cli import main; main()", *command],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = (tmp_path / "serve.log").read_text(errors="replace")
                pytest.fail(f"sampark serve did not start:\n{output}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


async def test_several_workers_serve_one_crm(
    make_kernel: Callable[..., Awaitable[Sampark]], served: str
) -> None:
    kernel = await make_kernel()
    await auth.add_user(kernel, "asha", password="a long enough passphrase", roles=("admin",))
    await kernel.contacts.create(first_name="Asha", last_name="Rao")
    async with httpx.AsyncClient(base_url=served) as client:
        page = await client.get("/login")
        assert page.status_code == 200
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        signed_in = await client.post(
            "/login",
            data={"username": "asha", "password": "a long enough passphrase", "csrf_token": token},
        )
        assert signed_in.status_code == 303
        # Many requests, spread over both workers: the session is in the database.
        for _ in range(12):
            listing = await client.get("/contacts")
            assert listing.status_code == 200
            assert "Asha Rao" in listing.text
        home = await client.get("/")
        token = home.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        await client.post("/logout", data={"csrf_token": token})
        for _ in range(4):
            assert (await client.get("/contacts")).status_code == 303


def test_the_served_app_freezes_what_start_up_built(settings: Settings) -> None:
    """Start-up objects leave the collector's full passes, which stalled a request now and then."""
    from sampark.web.app import build_app

    kernel = Sampark(dataclasses.replace(settings, web=WebSettings(secret_key="k" * 40)))

    async def start_and_stop_the_app() -> int:
        await kernel.start(migrate=True)
        await kernel.close()
        app = build_app(kernel, manage_kernel=True)
        inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        started = asyncio.Event()

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set()

        await inbox.put({"type": "lifespan.startup"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        server = asyncio.create_task(app(scope, inbox.get, send))
        await started.wait()
        frozen = gc.get_freeze_count()
        await inbox.put({"type": "lifespan.shutdown"})
        await server
        return frozen

    gc.unfreeze()
    try:
        assert asyncio.run(start_and_stop_the_app()) > 0
    finally:
        gc.unfreeze()
