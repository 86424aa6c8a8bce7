"""The CRM's users: BDRs with habits of their own, managers, lead-gen and admin users."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import datetime

from emg.simulator.clock import WORK_END, WORK_START, days, working_moment
from emg.simulator.ids import IdMaker

_FIRST_NAMES = """
Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Leo Grace Oscar Freya Harry Lily Jack
Sophie Charlie Ella Theo Poppy Alfie Chloe Finley Ruby Jacob Evie Henry Daisy Thomas
Alice Samuel Florence Joshua Rosie Archie Maya Ethan Priya Ravi
"""
FIRST_NAMES = tuple(_FIRST_NAMES.split())
_LAST_NAMES = """
Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Robinson Thompson
Evans Walker White Roberts Green Hall Wood Jackson Clarke Khan Hughes Edwards Turner
Hill Moore Cooper Ward Morris King Watson Harris Lewis Baker Shah Price Bennett Kaur Fox
"""
LAST_NAMES = tuple(_LAST_NAMES.split())
TEAMS = ("London", "Manchester")

# Hour-of-day shapes (local hours 8..17): when a BDR likes to call.
_HOUR_SHAPES = (
    (3, 8, 9, 8, 4, 2, 4, 4, 3, 1),  # mornings
    (1, 3, 4, 4, 2, 3, 7, 9, 8, 4),  # afternoons
    (2, 5, 6, 6, 3, 2, 5, 6, 5, 2),  # steady, lunch dip
)
HOURS = tuple(range(WORK_START, WORK_END))


@dataclass(frozen=True)
class Bdr:
    """A BDR and the habits that shape their activity."""

    id: str
    name: str
    team: str
    joined: datetime
    left: datetime | None  # inactive after this instant
    lead_weight: float  # share of new leads assigned
    gap_scale: float  # > 1: fewer calls per lead
    skill: float  # multiplies conversion chances
    show_rate: float  # share of booked calls completed
    hour_cum: tuple[float, ...]  # cumulative weights over HOURS
    weekday_accept: tuple[float, ...]  # Mon..Fri, chance a slot on that day is kept

    def pick_hour(self, rng: random.Random) -> int:
        return HOURS[bisect(self.hour_cum, rng.random() * self.hour_cum[-1])]


@dataclass(frozen=True)
class Staff:
    bdrs: tuple[Bdr, ...]
    lead_gens: tuple[str, ...]
    managers: tuple[str, ...]
    user_rows: tuple[tuple, ...]


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return tuple(out)


def _habits(rng: random.Random, slot: int) -> dict:
    """Habits of the `slot`-th BDR of a group of six: slot 5 is a struggling new starter."""
    shape = _HOUR_SHAPES[slot % len(_HOUR_SHAPES)]
    hours = [weight * rng.uniform(0.7, 1.3) for weight in shape]
    weekdays = [rng.uniform(0.55, 1.0) for _ in range(5)]
    weekdays[rng.randrange(5)] = 1.0
    if slot == 5:
        return {
            "lead_weight": 0.7,
            "gap_scale": 1.8,
            "skill": 0.5,
            "show_rate": 0.6,
            "hour_cum": _cumulative(hours),
            "weekday_accept": tuple(weekdays),
        }
    return {
        "lead_weight": rng.uniform(0.8, 1.2),
        "gap_scale": rng.uniform(0.75, 1.25),
        "skill": rng.uniform(0.75, 1.3),
        "show_rate": rng.uniform(0.72, 0.86),
        "hour_cum": _cumulative(hours),
        "weekday_accept": tuple(weekdays),
    }


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in used or len(used) > len(FIRST_NAMES) * len(LAST_NAMES) // 2:
            used.add(name)
            return name


def _email(name: str, taken: set[str]) -> str:
    local = name.lower().replace(" ", ".")
    email, number = f"{local}@emg.example", 1
    while email in taken:
        number += 1
        email = f"{local}{number}@emg.example"
    taken.add(email)
    return email


def make_staff(rng: random.Random, new_id: IdMaker, start: datetime, now: datetime, scale: int):
    """Six BDRs (two teams, one inactive, one struggling), a manager, lead-gen, admin per unit."""
    bdrs: list[Bdr] = []
    rows: list[tuple] = []
    lead_gens: list[str] = []
    managers: list[str] = []
    used: set[str] = set()
    emails: set[str] = set()

    def user(role: str, team: str | None, joined: datetime, active: bool, updated: datetime):
        name = _name(rng, used)
        user_id = new_id()
        email = _email(name, emails)
        rows.append((user_id, name, email, role, team, active, joined, updated))
        return user_id, name

    for unit in range(scale):
        suffix = f" {unit + 1}" if unit else ""
        teams = tuple(team + suffix for team in TEAMS)
        for role, team, bucket in (
            ("MANAGER", teams[0], managers),
            ("LEAD_GEN", None, lead_gens),
            ("ADMIN", None, None),
        ):
            joined = working_moment(rng, start - days(rng, 200, 700))
            user_id, _ = user(role, team, joined, True, joined + days(rng, 1, 150))
            if bucket is not None:
                bucket.append(user_id)
        for slot in range(6):
            habits = _habits(rng, slot)
            left = None
            if slot == 5:  # a new starter, weeks into the job
                joined = working_moment(rng, now - days(rng, 24, 30))
            else:
                joined = working_moment(rng, start - days(rng, 30, 400))
            if slot == 4:  # left the company a few weeks ago
                left = working_moment(rng, now - days(rng, 20, 35))
            updated = left or min(now, joined + days(rng, 1, 20))
            team = teams[slot % 2]
            user_id, name = user("BDR", team, joined, left is None, updated)
            bdrs.append(Bdr(id=user_id, name=name, team=team, joined=joined, left=left, **habits))
    return Staff(tuple(bdrs), tuple(lead_gens), tuple(managers), tuple(rows))
