"""A deployment with only tickets enabled never loads another plugin's code."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

_PROBE = textwrap.dedent(
    """
    import asyncio, sys
    from sampark.cli import build_cli
    from sampark.core.kernel import Sampark
    from sampark.core.settings import load_settings
    from sampark.web.app import build_app

    config = sys.argv[1]
    build_cli(["--config", config, "tickets", "list"])

    async def main():
        kernel = Sampark(load_settings(config))
        await kernel.start(migrate=True)
        try:
            build_app(kernel)
            from sampark.plugins.tickets.facade import Tickets
            contact = await kernel.contacts.create(first_name="Solo")
            ticket = await Tickets(kernel).open(subject="Alone", requester_id=contact.id)
            await Tickets(kernel).reply(ticket.id, "Hi", minutes=2)
            await kernel.search("Alone")
        finally:
            await kernel.close()

    asyncio.run(main())
    print(" ".join(sorted(name for name in sys.modules if name.startswith("sampark.plugins."))))
    """
)


def test_only_tickets_enabled_loads_no_pipeline_or_contracts_code(
    database_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "sampark.toml"
    config.write_text(f'database = "{database_url}"\nplugins = ["tickets"]\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPARK_")}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    assert "sampark.plugins.tickets.services" in loaded
    assert "sampark.plugins.tickets.hooks" in loaded
    # Listing plugins reads their manifests (the packages themselves); nothing else of a
    # disabled plugin loads, not even its config schema.
    strangers = [
        name
        for name in loaded
        if name.startswith(("sampark.plugins.pipeline.", "sampark.plugins.contracts."))
    ]
    assert strangers == []
