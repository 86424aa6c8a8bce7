"""Office hours (contract §6): the setting's format, local time with DST, the next opening."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emg.alerts.office_hours import DEFAULT, from_setting, opening_words, parse
from emg.errors import EmgError

LONDON = "Europe/London"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_unset_is_monday_to_friday_eight_to_six_local():
    hours = from_setting(None, LONDON)
    assert hours.describe() == "Mon-Fri 08:00-18:00 Europe/London"
    assert hours.is_open(utc("2026-11-27T15:00"))  # Friday 15:00 GMT
    assert hours.is_open(utc("2026-11-30T08:00"))  # Monday 08:00: the start is included
    assert not hours.is_open(utc("2026-11-27T18:00"))  # Friday 18:00: the end is not
    assert not hours.is_open(utc("2026-11-30T07:59"))
    assert not hours.is_open(utc("2026-11-28T12:00"))  # Saturday
    assert from_setting("", LONDON) == from_setting(DEFAULT, LONDON)


def test_hours_are_local_wall_clock_time_in_summer_and_winter():
    hours = from_setting(None, LONDON)
    assert hours.is_open(utc("2026-07-06T07:30"))  # Monday 08:30 BST
    assert not hours.is_open(utc("2026-01-05T07:30"))  # Monday 07:30 GMT
    assert not hours.is_open(utc("2026-07-06T17:30"))  # 18:30 BST
    new_york = from_setting(None, "America/New_York")
    assert new_york.is_open(utc("2026-11-27T13:00"))  # 08:00 EST
    assert not new_york.is_open(utc("2026-11-27T12:59"))


def test_the_next_opening_skips_the_weekend_and_the_clock_change():
    hours = from_setting(None, LONDON)
    friday_night = hours.next_opening(utc("2026-11-27T19:00"))
    assert friday_night == utc("2026-11-30T08:00")
    assert opening_words(friday_night, LONDON) == "08:00 Monday 30 Nov"
    # clocks go forward on Sunday 29 March 2026: Monday 08:00 BST is 07:00 UTC
    assert hours.next_opening(utc("2026-03-28T12:00")) == utc("2026-03-30T07:00")
    assert hours.next_opening(utc("2026-11-25T06:00")) == utc("2026-11-25T08:00")  # today


def test_several_windows_days_lists_and_ranges_that_wrap():
    hours = parse("Mon-Thu 08:00-18:00; Fri 08:00-16:00", LONDON)
    assert hours.is_open(utc("2026-11-26T17:00")) and not hours.is_open(utc("2026-11-27T17:00"))
    gulf = parse("Sun-Thu 09:00-17:00", "UTC")
    assert gulf.is_open(utc("2026-11-29T10:00")) and not gulf.is_open(utc("2026-11-27T10:00"))
    late = parse("mon,wed , Fri 7:30-24:00", "UTC")
    assert late.is_open(utc("2026-11-27T23:59")) and not late.is_open(utc("2026-11-26T12:00"))


def test_always_is_open_at_every_hour():
    hours = from_setting("Always", LONDON)
    assert hours.always and hours.describe() == "always"
    assert hours.is_open(utc("2026-11-29T03:00"))  # Sunday 03:00
    assert hours.next_opening(utc("2026-11-29T03:00")) is None


@pytest.mark.parametrize(
    "raw",
    ["Mon-Fri", "08:00-18:00", "Mon-Fri 18:00-08:00", "Mo-Fr 08:00-18:00", "Mon-Fri 8-18",
     "Mon-Fri 08:00-24:30", "Mon-Fri 08:00-18:00;", "weekdays 08:00-18:00"],
)  # fmt: skip
def test_a_setting_that_does_not_parse_is_one_line_saying_the_format(raw):
    with pytest.raises(EmgError) as caught:
        from_setting(raw, LONDON)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"EMG_SLACK_OFFICE_HOURS={raw!r} is not office hours; use")
    assert "'Mon-Fri 08:00-18:00'" in message and "'always'" in message
