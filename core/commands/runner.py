"""Open the kernel for a command, run it, close it, and turn Sampark's errors into exit codes.

Refused input exits 2 with one ``error: field: problem`` line per problem; a missing
record, a stale edit or a bad config exits 1 with its message. None shows a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Generator
from typing import IO, Any, TypeVar

import click
from tortoise.exceptions import OperationalError

from sampark.core.commands.output import terminal_safe
from sampark.core.db import Progress
from sampark.core.errors import SamparkError, ValidationError
from sampark.core.kernel import Sampark
from sampark.core.settings import Settings, load_settings, redact_url

T = TypeVar("T")


class CommandError(click.ClickException):
    """A problem to show as ``error: …`` lines on stderr, with the exit status it calls for."""

    def __init__(self, problems: list[str], exit_code: int = 1) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.exit_code = exit_code

    def show(self, file: IO[Any] | None = None) -> None:
        for problem in self.problems:
            click.echo(f"error: {terminal_safe(problem)}", file=file, err=file is None)


def config_path(ctx: click.Context) -> str | None:
    """The ``--config`` given to the root command (or $SAMPARK_CONFIG), if any."""
    return (ctx.find_root().obj or {}).get("config_path")


def _unavailable(kernel: Sampark, exc: BaseException) -> str:
    reason = exc.__cause__ or exc
    return f"cannot open the database {redact_url(kernel.settings.database_url)}: {reason}"


async def open_kernel(
    kernel: Sampark, *, migrate: bool = False, progress: Progress | None = None
) -> Sampark:
    """Start ``kernel``; when migrating, a missing PostgreSQL database is created first.

    A database that cannot be reached or opened becomes one error line.
    """
    try:
        return await kernel.start(migrate=migrate, create_db=migrate, progress=progress)
    except (OSError, OperationalError) as exc:
        raise CommandError([_unavailable(kernel, exc)]) from None


@contextlib.contextmanager
def reported_errors() -> Generator[None, None, None]:
    """Re-raise Sampark's own errors as :class:`CommandError`: refused input exits 2."""
    try:
        yield
    except ValidationError as exc:
        raise CommandError([str(error) for error in exc.errors], exit_code=2) from None
    except SamparkError as exc:
        raise CommandError([str(exc)]) from None


def settings_for(ctx: click.Context) -> Settings:
    """The settings the command should use (raises ConfigError for a bad or missing file)."""
    return load_settings(config_path(ctx))


def run_with_kernel(ctx: click.Context, action: Callable[[Sampark], Awaitable[T]]) -> T:
    """Start a kernel from the config, await ``action(kernel)``, and always close it."""

    async def run() -> T:
        kernel = await open_kernel(Sampark(settings_for(ctx)))
        try:
            return await action(kernel)
        finally:
            await kernel.close()

    with reported_errors():
        return asyncio.run(run())
