"""Disabling the plugin leaves no trace in any face, keeps its data, and re-enabling shows it."""

from __future__ import annotations

from pathlib import Path

import httpx
from click.testing import CliRunner

from sampark.cli import build_cli
from sampark.core.services import auth
from sampark.core.settings import WebSettings
from sampark.plugins.pipeline.facade import Deals
from sampark.web.app import build_app

SECRET = "pipeline-disable-secret-" + "x" * 32


async def _faces(kernel, account_id: int) -> dict:
    """What a signed-in admin and an API client see of the pipeline."""
    app = build_app(kernel)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    token, _ = await auth.create_token(kernel, "asha", "test")
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        login = await client.get("/login")
        csrf = login.text.split('name="csrf_token" value="')[1].split('"')[0]
        await client.post(
            "/login",
            data={"username": "asha", "password": "a long enough passphrase", "csrf_token": csrf},
        )
        board = await client.get("/pipeline/")
        home = await client.get("/")
        document = (await client.get("/api/openapi.json")).json()
        api = await client.get(
            "/api/v1/pipeline/deals", headers={"Authorization": f"Bearer {token}"}
        )
    timeline = await kernel.timeline(("account", account_id))
    return {
        "board": board.status_code,
        "nav": 'href="/pipeline/"' in home.text,
        "paths": [path for path in document["paths"] if "/pipeline/" in path],
        "api": api.status_code,
        "timeline": [entry.title for entry in timeline],
        "search": "deals" in await kernel.search("Licence"),
        "numbers": [n.label for n in await kernel.dashboard_numbers()],
    }


async def test_disable_and_enable_again(make_kernel):
    web = WebSettings(secret_key=SECRET)
    enabled = await make_kernel(plugins=("pipeline",), web=web)
    await auth.add_user(enabled, "asha", password="a long enough passphrase", roles=("admin",))
    acme = await enabled.accounts.create(name="Acme")
    deal = await Deals(enabled).create(title="Licence", amount="99.99", account=acme.id)
    before = await _faces(enabled, acme.id)
    assert before["board"] == 200 and before["nav"] and before["api"] == 200
    assert len(before["paths"]) == 11 and before["search"]
    assert before["timeline"] == ["Deal opened: Licence (Qualification)"]
    assert before["numbers"] == ["open deals", "weighted pipeline this month"]
    await enabled.close()

    disabled = await make_kernel(web=web)
    assert await _faces(disabled, acme.id) == {
        "board": 404,
        "nav": False,
        "paths": [],
        "api": 404,
        "timeline": [],
        "search": False,
        "numbers": [],
    }
    with disabled.activate():
        rows = await disabled.connection.execute_query_dict("SELECT title FROM pipeline_deal")
    assert rows == [{"title": "Licence"}]
    await disabled.close()

    again = await make_kernel(plugins=("pipeline",), web=web)
    assert await Deals(again).get(deal.id) == deal
    after = await _faces(again, acme.id)
    assert after == before


def test_the_deals_command_exists_only_while_enabled(database_url, tmp_path: Path):
    config = tmp_path / "sampark.toml"

    def run(*args: str, plugins: str = '["pipeline"]'):
        config.write_text(f'database = "{database_url}"\nplugins = {plugins}\n', encoding="utf-8")
        argv = ["--config", str(config), *args]
        return CliRunner().invoke(build_cli(argv), argv)

    assert run("migrate").exit_code == 0
    assert run("deals", "add", "Licence", "--amount", "5").exit_code == 0
    for command in (("deals", "list"), ("forecast",)):
        result = run(*command, plugins="[]")
        assert result.exit_code == 2 and f"No such command '{command[0]}'" in result.output
    result = run("deals", "list")
    assert result.exit_code == 0 and "Licence" in result.output
