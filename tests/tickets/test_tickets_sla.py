"""SLA clocks: the pure working-time arithmetic, and the deadlines tickets store."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampark.core.errors import ConfigError
from sampark.core.kernel import Sampark
from sampark.plugins.tickets import services, sla
from sampark.plugins.tickets.facade import Tickets

UTC = dt.UTC
KOLKATA = sla.calendar_from(
    business_hours=True,
    business_days=["mon", "tue", "wed", "thu", "fri"],
    day_start="09:00",
    day_end="17:00",
    time_zone="Asia/Kolkata",
    holidays=["2026-01-26"],
)
BERLIN = sla.calendar_from(  # with daylight saving changes
    business_hours=True,
    business_days=["mon", "wed", "sat"],
    day_start="08:30",
    day_end="12:00",
    time_zone="Europe/Berlin",
)


def ist(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo("Asia/Kolkata")).astimezone(UTC)


def test_24_7_is_plain_arithmetic() -> None:
    start = dt.datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    assert sla.add_working(None, start, dt.timedelta(hours=5)) == start + dt.timedelta(hours=5)
    assert sla.working_between(None, start, start - dt.timedelta(1)) == dt.timedelta(0)


def test_business_hours_skip_nights_weekends_and_holidays() -> None:
    # Friday 16:00 IST + 2 working hours: 1 hour on Friday, then Monday 26 Jan is a holiday,
    # so Tuesday 10:00.
    friday = ist(2026, 1, 23, 16, 0)
    assert sla.add_working(KOLKATA, friday, dt.timedelta(hours=2)) == ist(2026, 1, 27, 10, 0)
    # Starting before opening counts from opening.
    early = ist(2026, 1, 27, 6, 0)
    assert sla.add_working(KOLKATA, early, dt.timedelta(minutes=30)) == ist(2026, 1, 27, 9, 30)
    # Exactly a day's worth ends at closing time, not the next morning.
    assert sla.add_working(KOLKATA, early, dt.timedelta(hours=8)) == ist(2026, 1, 27, 17, 0)
    assert sla.working_between(KOLKATA, friday, ist(2026, 1, 27, 10, 0)) == dt.timedelta(hours=2)


def test_bad_calendar_settings_name_the_key() -> None:
    with pytest.raises(ConfigError, match="business_days"):
        sla.calendar_from(business_hours=True, business_days=["funday"])
    with pytest.raises(ConfigError, match="day_end"):
        sla.calendar_from(business_hours=True, business_days=["mon"], day_start="18:00")
    with pytest.raises(ConfigError, match="time_zone"):
        sla.calendar_from(business_hours=True, business_days=["mon"], time_zone="Mars/Base")
    with pytest.raises(ConfigError, match="holidays"):
        sla.calendar_from(business_hours=True, business_days=["mon"], holidays=["someday"])
    assert sla.calendar_from(business_hours=False, business_days=["funday"]) is None


moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20))
calendars = st.sampled_from([None, KOLKATA, BERLIN])


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=moments, duration=durations)
def test_adding_then_measuring_gives_the_duration_back(calendar, start, duration) -> None:
    end = sla.add_working(calendar, start, duration)
    assert end >= start
    assert sla.working_between(calendar, start, end) == duration


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=moments, first=durations, second=durations)
def test_adding_in_two_steps_is_adding_once(calendar, start, first, second) -> None:
    middle = sla.add_working(calendar, start, first)
    assert sla.add_working(calendar, middle, second) == sla.add_working(
        calendar, start, first + second
    ) or second == dt.timedelta(0)


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, a=moments, b=moments, c=moments)
def test_measuring_adds_up_over_a_split(calendar, a, b, c) -> None:
    a, b, c = sorted([a, b, c])
    assert sla.working_between(calendar, a, c) == sla.working_between(
        calendar, a, b
    ) + sla.working_between(calendar, b, c)


@settings(max_examples=200, deadline=None)
@given(
    start=moments,
    duration=st.timedeltas(min_value=dt.timedelta(seconds=1), max_value=dt.timedelta(days=20)),
)
def test_a_deadline_falls_inside_business_hours(start, duration) -> None:
    end = sla.add_working(KOLKATA, start, duration).astimezone(ZoneInfo("Asia/Kolkata"))
    assert end.weekday() < 5 and end.date() != dt.date(2026, 1, 26)
    assert dt.time(9, 0) < end.time() <= dt.time(17, 0) or end.time() == dt.time(17, 0)


async def test_the_clock_pauses_while_pending_and_priority_recomputes(
    desk: Sampark, people: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)]
    monkeypatch.setattr(services, "now", lambda: clock[0])
    tickets = Tickets(desk)
    ticket = await tickets.open(subject="Clock", requester_id=people["contact"].id)
    start = clock[0]
    assert ticket.resolution_due_at == start + dt.timedelta(minutes=2880)
    clock[0] = start + dt.timedelta(hours=1)
    paused = await tickets.update(ticket.id, status="pending")
    assert paused.resolution_due_at is None and paused.first_response_due_at is None
    assert services.sla_status(paused, clock[0])["resolution"].state == "paused"
    # Three hours pending do not count.
    clock[0] = start + dt.timedelta(hours=4)
    resumed = await tickets.update(ticket.id, status="open")
    assert resumed.resolution_due_at == clock[0] + dt.timedelta(minutes=2880 - 60)
    urgent = await tickets.update(ticket.id, priority="urgent")
    assert urgent.resolution_due_at == clock[0] + dt.timedelta(minutes=240 - 60)
    assert urgent.first_response_due_at == clock[0] + dt.timedelta(minutes=60 - 60)
    status = services.sla_status(urgent, clock[0] + dt.timedelta(minutes=1))
    assert status["first_response"].state == "breached"
    assert status["resolution"].label == "2h 59m left"
    # Breaching soon: the queue's SQL finds it by its stored deadline.
    monkeypatch.setattr(services, "now", lambda: clock[0])
    breaching = await tickets.list(view="breaching")
    assert [t.id for t in breaching] == [ticket.id]
    clock[0] += dt.timedelta(minutes=30)
    done = await tickets.reply(ticket.id, "Done", status="resolved")
    status = services.sla_status(done, clock[0])
    assert status["first_response"].state == "breached"
    assert status["resolution"].state == "met"
    assert len(await tickets.list(view="breaching")) == 0


async def test_business_hours_from_config(make_kernel, monkeypatch: pytest.MonkeyPatch) -> None:
    crm = await make_kernel(
        plugins=("tickets",),
        plugin_tables={
            "tickets": {
                "business_hours": True,
                "day_start": "09:00",
                "day_end": "17:00",
                "time_zone": "Asia/Kolkata",
                "first_response_minutes": {"normal": 120},
            }
        },
    )
    contact = await crm.contacts.create(first_name="Kiran")
    friday_evening = ist(2026, 1, 23, 16, 0)
    monkeypatch.setattr(services, "now", lambda: friday_evening)
    ticket = await Tickets(crm).open(subject="Weekend", requester_id=contact.id)
    assert ticket.first_response_due_at == ist(2026, 1, 26, 10, 0)


async def test_bad_targets_fail_at_start_up(make_kernel) -> None:
    with pytest.raises(ConfigError, match="first_response_minutes: unknown priority 'asap'"):
        await make_kernel(
            plugins=("tickets",),
            plugin_tables={"tickets": {"first_response_minutes": {"asap": 5}}},
        )
