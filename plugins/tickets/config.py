"""Settings of the tickets plugin: the ``[plugin.tickets]`` table of ``sampark.toml``.

Without a table, every SLA clock runs around the clock (24/7) with the default targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_FIRST_RESPONSE = {"urgent": 60, "high": 240, "normal": 480, "low": 1440}
DEFAULT_RESOLUTION = {"urgent": 240, "high": 1440, "normal": 2880, "low": 7200}


@dataclass(frozen=True)
class TicketsConfig:
    """SLA targets per priority (minutes) and the working hours the clocks count in."""

    # Minutes to the first reply and to resolution, per priority (low, normal, high, urgent).
    first_response_minutes: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_FIRST_RESPONSE)
    )
    resolution_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RESOLUTION))
    # Off: clocks run 24/7. On: they count only business_days between day_start and day_end
    # in time_zone, skipping holidays (ISO dates).
    business_hours: bool = False
    business_days: list[str] = field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    day_start: str = "09:00"
    day_end: str = "17:00"
    time_zone: str = "UTC"
    holidays: list[str] = field(default_factory=list)
    # "Breaching soon" means due within this many minutes (queue, dashboard).
    breach_window_minutes: int = 120
