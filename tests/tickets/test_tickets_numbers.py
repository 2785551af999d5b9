"""Ticket numbers stay unique and gap-free while several processes open tickets at once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time

from sampark.core.kernel import Sampark
from sampark.core.sql import fetch

PROCESSES = 4
EACH = 15

# Each process waits for a common start moment, then opens its tickets as fast as it can.
_WORKER = textwrap.dedent(
    """
    import asyncio, sys, time
    from sampark.core.kernel import Sampark
    from sampark.core.settings import Settings
    from sampark.plugins.tickets.facade import Tickets

    async def main(url, start, count, contact_id):
        kernel = Sampark(Settings(database_url=url, plugins=("tickets",)))
        await kernel.start()
        try:
            while time.time() < start:
                await asyncio.sleep(0.005)
            tickets = Tickets(kernel)
            began = time.time()
            for index in range(count):
                await tickets.open(subject=f"race {index}", requester_id=contact_id)
            print(began, time.time())
        finally:
            await kernel.close()

    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
    """
)


def _race(url: str, contact_id: int) -> list[list[float]]:
    """Run the worker processes; each one's (first, last) moment of work."""
    start = time.time() + 6
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPARK_")}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, url, str(start), str(EACH), str(contact_id)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    spans = []
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err.decode()
        spans.append([float(value) for value in out.split()])
    return spans


async def test_numbers_are_unique_and_gap_free_across_processes(desk: Sampark) -> None:
    contact = await desk.contacts.create(first_name="Racer")
    spans = await asyncio.to_thread(_race, desk.settings.database_url, contact.id)
    # They really ran at the same time: every process started before any had finished.
    assert max(began for began, _ in spans) < min(ended for _, ended in spans)
    with desk.activate():
        rows = await fetch(desk.connection, "SELECT seq, number FROM tickets_ticket ORDER BY seq")
        counter = await fetch(desk.connection, "SELECT last_number FROM tickets_counter")
    total = PROCESSES * EACH
    assert [row["seq"] for row in rows] == list(range(1, total + 1))
    assert [row["number"] for row in rows] == [f"T-{n:06d}" for n in range(1, total + 1)]
    assert counter[0]["last_number"] == total
