"""What the hello plugin does, kept out of the hook module so it can be called directly."""

from __future__ import annotations

from typing import Any

from sampark.plugin import Sampark
from sampark_hello.config import HelloConfig
from sampark_hello.models import Greeting


def greeting_for(config: HelloConfig, name: str) -> str:
    """The greeting text for a person: ``Namaste, Asha!``."""
    return f"{config.greeting}, {name}!"


async def greet_contact(kernel: Sampark, contact_id: int, name: str) -> Greeting:
    """Write a greeting for a contact (the kernel must be active)."""
    return await Greeting.create(
        contact_id=contact_id, text=greeting_for(kernel.plugin_config("hello"), name)
    )


async def list_greetings(kernel: Sampark, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest greetings, newest first, as plain dicts."""
    with kernel.activate():
        return await Greeting.all().order_by("-id").limit(limit).values("id", "contact_id", "text")
