"""Fixtures for the pipeline plugin: kernels with it enabled, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sampark.core.kernel import Sampark
from sampark.core.services import auth
from sampark.plugins.pipeline.facade import Deals

PIPELINE = ("pipeline",)


@pytest.fixture
async def pipe(make_kernel: Callable[..., Awaitable[Sampark]]) -> Sampark:
    """A started kernel with the pipeline plugin and its default stages (currency INR)."""
    return await make_kernel(plugins=PIPELINE)


@pytest.fixture
def deals(pipe: Sampark) -> Deals:
    """The pipeline's API as the system."""
    return Deals(pipe)


@pytest.fixture
def people(pipe: Sampark) -> Callable[..., Awaitable[Any]]:
    """``await people()``: users asha (admin), ravi and gita (agents), mira (read-only)."""

    async def make() -> dict[str, Any]:
        roles = {"asha": ("admin",), "ravi": ("agent",), "gita": ("agent",), "mira": ("read-only",)}
        actors = {}
        for name, granted in roles.items():
            user = await auth.add_user(pipe, name, roles=granted)
            with pipe.activate():
                actors[name] = await auth.actor_for_user(pipe, user.id)
        return actors

    return make
