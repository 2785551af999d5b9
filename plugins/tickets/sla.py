"""SLA clocks: working-time arithmetic (pure, no database) and the deadlines a ticket gets.

A clock counts *working time*: every moment when there is no calendar (24/7), or only
the business hours of a :class:`BusinessCalendar`. :func:`add_working` finds when a given
amount of working time has passed; :func:`working_between` measures it. For every start
``t`` and duration ``d >= 0``: ``working_between(cal, t, add_working(cal, t, d)) == d``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sampark.core.errors import ConfigError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with working days finds an open window within a few weeks; this bound only
# stops a runaway loop (e.g. a calendar whose every working day is a holiday).
_MAX_DAYS = 366 * 20
ZERO = dt.timedelta(0)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours: ``days`` (0 = Monday) from ``start`` to ``end`` local time, minus holidays."""

    days: frozenset[int]
    start: dt.time
    end: dt.time
    zone: dt.tzinfo
    holidays: frozenset[dt.date] = frozenset()

    def windows(self, since: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Open windows (UTC) from the local day of ``since`` on, in order, forever."""
        day = since.astimezone(self.zone).date()
        for offset in range(_MAX_DAYS):
            date = day + dt.timedelta(days=offset)
            if date.weekday() not in self.days or date in self.holidays:
                continue
            opens = dt.datetime.combine(date, self.start, self.zone).astimezone(dt.UTC)
            closes = dt.datetime.combine(date, self.end, self.zone).astimezone(dt.UTC)
            if closes > opens:
                yield opens, closes
        raise ValueError("the business calendar has no working hours")


def calendar_from(
    *,
    business_hours: bool,
    business_days: Iterable[str] = (),
    day_start: str = "09:00",
    day_end: str = "17:00",
    time_zone: str = "UTC",
    holidays: Iterable[str] = (),
) -> BusinessCalendar | None:
    """A calendar from the ``[plugin.tickets]`` settings (None: clocks run 24/7).

    Bad settings raise ConfigError naming the key.
    """
    if not business_hours:
        return None
    where = "plugin.tickets"
    days = set()
    for name in business_days:
        key = str(name).strip().lower()[:3]
        if key not in DAY_NAMES:
            raise ConfigError(f"{where}.business_days: unknown day {name!r} (use mon … sun)")
        days.add(DAY_NAMES.index(key))
    if not days:
        raise ConfigError(f"{where}.business_days: name at least one working day")
    start, end = _clock(day_start, f"{where}.day_start"), _clock(day_end, f"{where}.day_end")
    if end <= start:
        raise ConfigError(f"{where}.day_end: must be after day_start ({day_start})")
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}.time_zone: unknown time zone {time_zone!r}") from None
    free = set()
    for text in holidays:
        try:
            free.add(dt.date.fromisoformat(text))
        except ValueError:
            raise ConfigError(f"{where}.holidays: {text!r} is not a date (YYYY-MM-DD)") from None
    return BusinessCalendar(frozenset(days), start, end, zone, frozenset(free))


def _clock(text: str, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{where}: {text!r} is not a time of day (HH:MM)") from None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def add_working(
    calendar: BusinessCalendar | None, start: dt.datetime, duration: dt.timedelta
) -> dt.datetime:
    """The moment ``duration`` of working time after ``start`` (UTC)."""
    start = _utc(start)
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if calendar is None or duration == ZERO:
        return start + duration
    left = duration
    for opens, closes in calendar.windows(start):
        if closes <= start:
            continue
        begin = max(opens, start)
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    raise AssertionError("unreachable")  # pragma: no cover


def working_between(
    calendar: BusinessCalendar | None, start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    """Working time from ``start`` to ``end`` (zero when ``end`` is not later)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return ZERO
    if calendar is None:
        return end - start
    total = ZERO
    for opens, closes in calendar.windows(start):
        if opens >= end:
            break
        begin, finish = max(opens, start), min(closes, end)
        if finish > begin:
            total += finish - begin
    return total


# ---------------------------------------------------------------------------
# A ticket's clock
# ---------------------------------------------------------------------------

RUNNING = ("new", "open")


@dataclass(frozen=True)
class Clock:
    """A ticket's SLA clock as stored: working time used before ``started_at``.

    ``started_at`` is when the clock last started running (None while it stands: the
    ticket is pending, resolved or closed).
    """

    used: dt.timedelta
    started_at: dt.datetime | None

    def used_at(self, calendar: BusinessCalendar | None, moment: dt.datetime) -> dt.timedelta:
        if self.started_at is None:
            return self.used
        return self.used + working_between(calendar, self.started_at, moment)

    def moved_to(
        self, calendar: BusinessCalendar | None, status: str, moment: dt.datetime
    ) -> Clock:
        """The clock after the ticket's status becomes ``status`` at ``moment``."""
        running = status in RUNNING
        if running and self.started_at is None:
            return Clock(self.used, moment)
        if not running and self.started_at is not None:
            return Clock(self.used_at(calendar, moment), None)
        return self

    def due(self, calendar: BusinessCalendar | None, target: dt.timedelta) -> dt.datetime | None:
        """When ``target`` of working time will have been used (None while stopped)."""
        if self.started_at is None:
            return None
        return add_working(calendar, self.started_at, max(target - self.used, ZERO))


def describe(
    due_at: dt.datetime | None,
    done_at: dt.datetime | None,
    now: dt.datetime,
    *,
    paused: bool,
) -> tuple[str, str]:
    """``(state, words)`` of one target: met, breached, time left, or paused."""
    if done_at is not None:
        if due_at is not None and done_at > due_at:
            return "breached", f"breached by {_span(done_at - due_at)}"
        return "met", "met"
    if due_at is None:
        return ("paused", "paused (pending)") if paused else ("none", "—")
    if now > due_at:
        return "breached", f"breached {_span(now - due_at)} ago"
    return "running", f"{_span(due_at - now)} left"


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"
