"""Time for the simulator: naive UTC instants (millisecond precision), London business hours."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
ONE_DAY = timedelta(days=1)
WORK_START = 8  # local hour the working day starts
WORK_END = 18  # local hour it ends; calls start by 17:xx


def ms(count: int) -> timedelta:
    return timedelta(milliseconds=count)


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A random delay between `low` and `high` minutes, in whole milliseconds."""
    return ms(rng.randrange(int(low * 60_000), int(high * 60_000) + 1))


def days(rng: random.Random, low: float, high: float) -> timedelta:
    return minutes(rng, low * 1440, high * 1440)


def to_naive_utc(moment: datetime) -> datetime:
    """An aware instant as naive UTC, truncated to milliseconds (Prisma's precision)."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def local_to_utc(local: datetime) -> datetime:
    """A naive Europe/London wall-clock time as naive UTC (DST through zoneinfo)."""
    return local.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(utc: datetime) -> datetime:
    return utc.replace(tzinfo=UTC).astimezone(LONDON).replace(tzinfo=None)


def is_working_time(utc: datetime) -> bool:
    local = utc_to_local(utc)
    return local.weekday() < 5 and WORK_START <= local.hour < WORK_END


def working_moment(rng: random.Random, utc: datetime) -> datetime:
    """`utc` if it falls in local working hours, else early in the next working morning."""
    local = utc_to_local(utc)
    if local.weekday() < 5 and WORK_START <= local.hour < WORK_END:
        return utc
    day = local.date() if local.hour < WORK_START else local.date() + ONE_DAY
    while day.weekday() >= 5:
        day += ONE_DAY
    start = datetime.combine(day, time(WORK_START))
    return local_to_utc(start) + minutes(rng, 0, 90)
