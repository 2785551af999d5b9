"""The global search: contacts, accounts and every plugin's search source in one answer.

Each source is asked as the actor searching: a source needing a permission the actor
lacks is left out, and each source returns only what that actor may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sampark.core.contributions import SearchHit, SearchSource
from sampark.core.errors import ConfigError, ValidationError
from sampark.core.permissions import SYSTEM, Actor
from sampark.core.plugins import unique_by

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


async def contact_hits(
    kernel: Sampark, query: str, limit: int, actor: Actor = SYSTEM
) -> list[SearchHit]:
    from sampark.core.services.contacts import search_contacts

    page = await search_contacts(kernel, query, limit=limit, actor=actor)
    return [
        SearchHit("contacts", f"contact:{c.id}", c.display_name, c.primary_email or "")
        for c in page
    ]


async def account_hits(
    kernel: Sampark, query: str, limit: int, actor: Actor = SYSTEM
) -> list[SearchHit]:
    from sampark.core.services.accounts import search_accounts

    page = await search_accounts(kernel, query, limit=limit, actor=actor)
    return [SearchHit("accounts", f"account:{a.id}", a.name, ", ".join(a.kinds)) for a in page]


def core_sources() -> list[SearchSource]:
    return [
        SearchSource("contacts", "Contacts", contact_hits, permission="contacts.read"),
        SearchSource("accounts", "Accounts", account_hits, permission="accounts.read"),
    ]


async def search_everything(
    kernel: Sampark, query: str, *, limit_per_source: int = 10, actor: Actor = SYSTEM
) -> dict[str, list[SearchHit]]:
    """Ask every search source the actor may use in turn; results keyed by source name.

    Sources get the query without NUL characters (neither engine stores one in text), so
    no plugin's search fails on one.
    """
    if not isinstance(query, str):
        raise ValidationError.single("query", "must be text")
    query = query.replace("\x00", " ")
    contributions = await kernel.plugins.acollect("search_sources", kernel=kernel, actor=actor)
    for contribution in contributions:
        if not isinstance(contribution.item, SearchSource):
            raise ConfigError(
                f"plugin {contribution.plugin}: search_sources must give SearchSource items"
            )
    sources = unique_by(contributions, lambda source: source.name, "search source")
    results: dict[str, list[SearchHit]] = {}
    for contribution in sources:
        source: SearchSource = contribution.item
        if source.permission is None or actor.can(source.permission):
            results[source.name] = list(await source.ask(kernel, query, limit_per_source, actor))
    return results
