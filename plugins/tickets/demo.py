"""Demo tickets for ``sampark demo``: a help desk queue with some of everything in it.

Tickets go in through ``Tickets`` like real ones, so numbers, SLA clocks, status history
and the requesters' timelines all come out right (with real "now" timestamps: the
services stamp them). Every choice is drawn from ``world.rng``: the same ``--seed`` gives
the same tickets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sampark.plugins.tickets.facade import Tickets
from sampark.plugins.tickets.services import CHANNELS, PRIORITIES

if TYPE_CHECKING:
    import random

    from sampark.core.kernel import Sampark
    from sampark.core.services.demo import DemoWorld

# (subject, what the requester wrote, a tag)
PROBLEMS = (
    ("Cannot sign in since this morning", "It says my password is wrong, but it is not.", "login"),
    ("Invoice shows the wrong tax number", "Our GSTIN on invoice 2291 is outdated.", "billing"),
    ("Export to Excel fails", "The export stops with an error after a minute.", "bug"),
    ("Password reset email never arrives", "Checked spam too, nothing there.", "login"),
    ("Dashboard very slow after the update", "It takes about 30 seconds to load.", "performance"),
    ("Please add two new users", "Two colleagues joined our sales team this week.", "request"),
    ("Error when saving a contact", "Saving fails with 'something went wrong'.", "bug"),
    ("How do I merge duplicate contacts?", "We imported the same list twice.", "question"),
    ("Import stuck at 80%", "The CSV import has not moved for an hour.", "import"),
    ("Reports show the wrong time zone", "Times are five and a half hours off.", "bug"),
    ("Request a copy of last year's invoices", "Our auditors need them by Friday.", "billing"),
    ("Mobile app crashes on start", "Since the latest version, on Android.", "mobile"),
)
REPLIES = (
    "Thanks for reporting this, we are looking into it.",
    "Could you send us a screenshot of the error?",
    "We have found the cause and are working on a fix.",
    "This should be fixed now; please try again.",
)
NOTES = (
    "Reproduced on staging.",
    "Checked the logs: timeouts from the mail provider.",
    "Asked the billing team to confirm.",
    "Same issue as last month's ticket; escalating.",
)
# Where tickets end up; shuffled and dealt in turn, so even a few tickets show each status.
FATES = ("open", "resolved", "pending", "closed", "new", "open", "resolved")


def _assignee(rng: random.Random, usernames: tuple[str, ...], position: int) -> str | None:
    """Most tickets are assigned to someone, the first two to the first admin; some wait."""
    anyone = rng.choice(usernames) if rng.random() < 0.7 else None
    return usernames[0] if position < 2 else anyone


async def demo_data(kernel: Sampark, world: DemoWorld) -> list[str]:
    """About one ticket per eight contacts: assigned or not, answered, resolved, some breaching."""
    rng = world.rng
    tickets = Tickets(kernel)
    count = max(4, len(world.contact_ids) // 8)
    fates = rng.sample(FATES, len(FATES))
    # Mostly customers' staff write in; people with no account only now and then.
    staff = [i for i, employer in enumerate(world.employers) if employer is not None]
    for position in range(count):
        staffed = bool(staff) and rng.random() < 0.85
        index = rng.choice(staff) if staffed else rng.randrange(len(world.contact_ids))
        employer = world.employers[index]
        subject, description, tag = rng.choice(PROBLEMS)
        # Every sixth is an urgent one nobody has answered yet: it shows as breaching soon.
        urgent = position % 6 == 0
        priority = "urgent" if urgent else rng.choice(PRIORITIES[:3])
        ticket = await tickets.open(
            subject=subject,
            description=description,
            requester_id=world.contact_ids[index],
            account_id=world.account_ids[employer] if employer is not None else None,
            channel=rng.choice(CHANNELS),
            priority=priority,
            assignee=_assignee(rng, world.usernames, position),
            tags=[tag],
        )
        fate = "new" if urgent else fates[position % len(fates)]
        if fate != "new":
            if rng.random() < 0.5:
                await tickets.note(ticket.id, rng.choice(NOTES), minutes=rng.randrange(5, 60, 5))
            status = fate if fate in ("pending", "resolved") else None
            minutes = rng.randrange(5, 90, 5)
            await tickets.reply(ticket.id, rng.choice(REPLIES), minutes=minutes, status=status)
            if fate == "closed":
                await tickets.update(ticket.id, status="closed")
        world.report("tickets", position + 1, count)
    return [f"{count} tickets"]
