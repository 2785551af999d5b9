"""The global search: contacts, accounts and every plugin's search source in one answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sampark.core.contributions import SearchHit, SearchSource
from sampark.core.errors import ConfigError
from sampark.core.plugins import unique_by

if TYPE_CHECKING:
    from sampark.core.kernel import Sampark


async def contact_hits(kernel: Sampark, query: str, limit: int) -> list[SearchHit]:
    from sampark.core.services.contacts import search_contacts

    page = await search_contacts(kernel, query, limit=limit)
    return [
        SearchHit("contacts", f"contact:{c.id}", c.display_name, c.primary_email or "")
        for c in page
    ]


async def account_hits(kernel: Sampark, query: str, limit: int) -> list[SearchHit]:
    from sampark.core.services.accounts import search_accounts

    page = await search_accounts(kernel, query, limit=limit)
    return [SearchHit("accounts", f"account:{a.id}", a.name, ", ".join(a.kinds)) for a in page]


def core_sources() -> list[SearchSource]:
    return [
        SearchSource("contacts", "Contacts", contact_hits),
        SearchSource("accounts", "Accounts", account_hits),
    ]


async def search_everything(
    kernel: Sampark, query: str, *, limit_per_source: int = 10
) -> dict[str, list[SearchHit]]:
    """Ask every search source in turn; results keyed by source name, in source order."""
    contributions = await kernel.plugins.acollect("search_sources", kernel=kernel)
    for contribution in contributions:
        if not isinstance(contribution.item, SearchSource):
            raise ConfigError(
                f"plugin {contribution.plugin}: search_sources must give SearchSource items"
            )
    sources = unique_by(contributions, lambda source: source.name, "search source")
    results: dict[str, list[SearchHit]] = {}
    for contribution in sources:
        source: SearchSource = contribution.item
        results[source.name] = list(await source.search(kernel, query, limit_per_source))
    return results
