"""Office hours: when Slack posts may go out (contract §6). Pure functions, no I/O.

The setting (`EMG_SLACK_OFFICE_HOURS`, default `Mon-Fri 08:00-18:00`) is one or more windows
separated by `;`, each days then hours, in the reporting timezone:

    Mon-Fri 08:00-18:00
    Mon-Thu 08:00-18:00; Fri 08:00-16:00
    Sun-Thu 09:00-17:00
    Mon,Wed,Fri 07:30-24:00
    always

Days are English three-letter names (any case), a range (`Mon-Fri`; one that wraps past
Sunday, `Sun-Thu`, is fine) or a comma-separated list of days and ranges. Hours are
`HH:MM-HH:MM`, the start included and the end not, the start before the end (`24:00` ends at
midnight; a window across midnight is two windows). `always` posts at every hour. Times are
local wall-clock times, so 08:00 is 08:00 in winter and in summer (zoneinfo, DST included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from emg.errors import EmgError

VARIABLE = "EMG_SLACK_OFFICE_HOURS"
DEFAULT = "Mon-Fri 08:00-18:00"
ALWAYS = "always"
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FORMAT_HELP = (
    "use days and local hours like 'Mon-Fri 08:00-18:00' (days Mon..Sun as a range or a list "
    "like Mon,Wed,Fri; hours HH:MM-HH:MM, start before end; several windows separated by ';'), "
    "or 'always'"
)

_WINDOW = re.compile(
    r"^(?P<days>[A-Za-z,\- ]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # 0 = Monday … 6 = Sunday
    start: int  # minutes after local midnight, included
    end: int  # minutes after local midnight, excluded (1440 = midnight)


@dataclass(frozen=True)
class OfficeHours:
    """When posts may go out; `windows` empty means always."""

    text: str  # the setting as given, for messages
    timezone: str
    windows: tuple[Window, ...] = ()

    @property
    def always(self) -> bool:
        return not self.windows

    def describe(self) -> str:
        return ALWAYS if self.always else f"{self.text} {self.timezone}"

    def is_open(self, moment: datetime) -> bool:
        """Whether `moment` (an aware instant) falls inside office hours, in local time."""
        if self.always:
            return True
        local = moment.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        return any(local.weekday() in w.days and w.start <= minute < w.end for w in self.windows)

    def next_opening(self, moment: datetime) -> datetime | None:
        """The first instant after `moment` at which office hours open (None when always)."""
        if self.always:
            return None
        zone = ZoneInfo(self.timezone)
        today = moment.astimezone(zone).date()
        openings = [
            _local(day, window.start, zone)
            for offset in range(8)
            for day in [today + timedelta(days=offset)]
            for window in self.windows
            if day.weekday() in window.days
        ]
        return min(opening for opening in openings if opening > moment)


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


def _minutes(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(text)
    return hours * 60 + minutes


def _days(text: str) -> frozenset[int]:
    names = {name.lower(): number for number, name in enumerate(DAY_NAMES)}
    days: set[int] = set()
    for part in text.replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        start, end = names[first], names[last or first]  # KeyError: not a day
        days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    return frozenset(days)


def parse(text: str, timezone: str, source: str = VARIABLE) -> OfficeHours:
    """The office hours a setting names, or a one-line error saying what the format is."""
    cleaned = " ".join(text.split())
    if cleaned.lower() == ALWAYS:
        return OfficeHours(ALWAYS, timezone)
    windows = []
    try:
        for part in cleaned.split(";"):
            match = _WINDOW.match(part.strip())
            if match is None:
                raise ValueError(part)
            window = Window(_days(match["days"]), _minutes(match["start"]), _minutes(match["end"]))
            if window.start >= window.end:
                raise ValueError(part)
            windows.append(window)
    except (KeyError, ValueError):
        raise EmgError(f"{source}={text!r} is not office hours; {FORMAT_HELP}") from None
    return OfficeHours(cleaned, timezone, tuple(windows))


def from_setting(value: str | None, timezone: str, source: str = VARIABLE) -> OfficeHours:
    """The office hours of the setting's value; unset or empty is the default."""
    return parse(value or DEFAULT, timezone, source)


def opening_words(opening: datetime, timezone: str) -> str:
    """`08:00 Monday 30 Nov`: when held posts go out, in local time."""
    local = opening.astimezone(ZoneInfo(timezone))
    return f"{local:%H:%M %A} {local.day} {local:%b}"
