"""``sampark serve``: the web UI and the JSON API under uvicorn."""

from __future__ import annotations

import errno
import os
import socket

import click

from sampark.core.commands.runner import (
    CommandError,
    reported_errors,
    run_with_kernel,
    settings_for,
)
from sampark.core.kernel import Sampark
from sampark.core.settings import redact_url


async def _opened(kernel: Sampark) -> None:
    """Nothing to do: opening the kernel checks the database and its migrations."""


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port something else listens on, before printing that we serve there."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CommandError([f"--host {host}: cannot listen there ({exc.strerror})"], 2) from None
    family, kind, protocol, _, address = addresses[0]
    with socket.socket(family, kind, protocol) as probe:
        # As uvicorn binds: SO_REUSEADDR, so a socket lingering in TIME_WAIT is no obstacle.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            problem = (
                "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            )
            raise CommandError(
                [f"port {port} on {host} {problem}; choose another with --port"], exit_code=2
            ) from None


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (use PostgreSQL for more than a few).",
)
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the web UI and the JSON API.

    Every worker opens the configured database; sessions live in it, so workers (and
    machines) share nothing else. Behind a reverse proxy, set FORWARDED_ALLOW_IPS to
    the proxy's address so client addresses are read from X-Forwarded-For.
    """
    import uvicorn

    from sampark.web.asgi import check_servable

    if reload and workers > 1:
        raise CommandError(["--reload runs one process: drop --workers or --reload"])
    with reported_errors():
        settings = settings_for(ctx)
        check_servable(settings)
    # A missing database or migration is one clear line here, not a traceback per worker.
    run_with_kernel(ctx, _opened)
    _check_port_free(host, port)
    if settings.path is not None:
        # The workers are new processes: they find the config through the environment.
        os.environ["SAMPARK_CONFIG"] = str(settings.path)
    url_host = f"[{host}]" if ":" in host else host
    noun = "worker" if workers == 1 else "workers"
    click.echo(f"Database: {redact_url(settings.database_url)}")
    click.echo(f"Serving Sampark at http://{url_host}:{port}/ ({workers} {noun}); Ctrl+C stops it.")
    click.echo("Sign in with a user's name and password (set one with: sampark users passwd NAME).")
    uvicorn.run(
        "sampark.web.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        server_header=False,
        log_level="info",
    )
