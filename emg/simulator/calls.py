"""Calls: when one is booked for, how it goes, what it leaves behind, and the check-in calls
an agreed lead gets from then on (`leads` books the calls before an agreement)."""

from __future__ import annotations

from datetime import datetime, timedelta

from emg.simulator.clock import ONE_DAY, local_to_utc, minutes, ms, utc_to_local, working_moment
from emg.simulator.people import Bdr
from emg.simulator.world import Lead, World


def pick_slot(world: World, bdr: Bdr, after: datetime, low: int, high: int) -> datetime:
    """A call slot some days after `after`, on a weekday and hour this BDR favours."""
    rng = world.rng
    gap = max(1, round(rng.uniform(low, high) * bdr.gap_scale))
    day = utc_to_local(after).date() + timedelta(days=gap)
    while True:
        weekday = day.weekday()
        if weekday < 5 and rng.random() < bdr.weekday_accept[weekday]:
            break
        day += ONE_DAY
    minute = rng.choice((0, 15, 30, 45)) if rng.random() < 0.8 else rng.randrange(60)
    local = datetime(day.year, day.month, day.day, bdr.pick_hour(rng), minute)
    return local_to_utc(local)


def call(world: World, lead: Lead, booked: datetime, gap: tuple[int, int], until: datetime):
    """Book a call at `booked` and play it out; (what happened, when the BDR moves on)."""
    rng, bdr = world.rng, lead.bdr
    if booked > until:
        return "ended", booked
    slot = pick_slot(world, bdr, booked, *gap)
    if slot > until:
        if until == lead.stop < world.now:  # the BDR left or the lead was deleted
            world.call_row(lead, booked, slot, None, "CANCELLED", until)
            lead.call_date = slot
            lead.touch(booked)
            return "ended", until
        if until == world.now and slot <= world.horizon:
            world.call_row(lead, booked, slot, None, None, booked)
            lead.call_date = slot
            lead.touch(booked)
            return "upcoming", booked
        return "ended", booked
    lead.call_date = slot
    lead.touch(booked)
    draw = rng.random()
    if draw < bdr.show_rate:
        done = slot + minutes(rng, 4, 40)
        if done > world.now:  # still on the phone at as_of: not logged yet
            world.call_row(lead, booked, slot, None, None, booked)
            return "ended", booked
        outcome = "COMPLETED" if rng.random() < 0.9 else None
        updated = min(done + minutes(rng, 0, 3), world.now)
        world.call_row(lead, booked, slot, done, outcome, updated)
        return "completed", done
    draw -= bdr.show_rate
    if draw < 0.08:
        logged = min(slot + minutes(rng, 5, 45), world.now)
        completed = logged if rng.random() < 0.5 else None
        world.call_row(lead, booked, slot, completed, "NO_SHOW", logged)
        return "no_show", logged
    if draw < 0.17:
        span = int((slot - booked).total_seconds() * 1000)
        ahead = min(span - 1, rng.randrange(3_600_000, 2 * 86_400_000))
        changed = slot - ms(max(1, ahead))
        outcome = "CANCELLED" if draw < 0.125 else "RESCHEDULED"
        world.call_row(lead, booked, slot, None, outcome, changed)
        return outcome.lower(), changed
    world.call_row(lead, booked, slot, None, None, booked)  # missed: never logged
    return "missed", slot + minutes(rng, 60, 3 * 1440)


def extras(world: World, lead: Lead, done: datetime) -> None:
    """The follow-up email or note a completed call often leaves behind."""
    rng = world.rng
    draw = rng.random()
    if draw < 0.4:
        at = done + minutes(rng, 10, 240)
        if at <= lead.stop:
            world.log(lead.id, lead.bdr.id, "EMAIL", at, "Follow-up email", completed=at)
    elif draw < 0.65:
        at = done + minutes(rng, 1, 30)
        if at <= lead.stop:
            world.log(lead.id, lead.bdr.id, "NOTE", at, "Call notes")


def check_ins(world: World, lead: Lead, moment: datetime, until: datetime) -> None:
    """Check-in calls after an agreement, from `moment` until `until` or the lead drops off."""
    rng = world.rng
    while True:
        what, moment = call(world, lead, moment, (2, 5), until)
        if what in ("upcoming", "ended"):
            return
        if what == "completed":
            extras(world, lead, moment)
            if rng.random() < 0.03 or moment > until:
                return
        elif what != "rescheduled":
            if rng.random() < 0.3:
                return
            moment = working_moment(rng, moment + minutes(rng, 5, 1440))
            if moment > until:
                return
