"""Leads: their arrival, and each one's life from the first call booked to an agreement (or
its loss) by way of proposals. What follows an agreement, the partner list, is `lists`.

Every lead is played out as a timeline in the order the stages allow, so the data is
consistent by construction: no agreement without a completed call before it, and nothing
after the lead's stop (as_of, the BDR's leaving, its deletion) but calls booked ahead.
"""

from __future__ import annotations

from bisect import bisect
from datetime import datetime, time, timedelta

from emg.simulator.calls import call, extras, pick_slot
from emg.simulator.clock import (
    ONE_DAY,
    days,
    local_to_utc,
    minutes,
    ms,
    utc_to_local,
    working_moment,
)
from emg.simulator.people import Bdr
from emg.simulator.world import Lead, World

CATEGORIES = (
    "Accountancy",
    "Legal",
    "IT Services",
    "Marketing",
    "Financial Advice",
    "Recruitment",
    "Property",
    "Healthcare",
)
_COMPANY_WORD_TEXT = """
Harbour Summit Beacon Oak Granite Meridian Northgate Riverside Kestrel Thistle Crown
Lighthouse Bridge Cedar Falcon Orchard Pennine Albion Cobalt Sterling Willow Ember Atlas
"""
_COMPANY_WORDS = tuple(_COMPANY_WORD_TEXT.split())
_COMPANY_KINDS = (
    "Partners",
    "Consulting",
    "Group",
    "Associates",
    "Analytics",
    "Advisory",
    "Solutions",
    "Holdings",
)
_COMPANY_FORMS = ("Ltd", "LLP", "& Co", "plc", "Ltd")


def _pick_bdr(world: World, created: datetime) -> Bdr:
    """A BDR employed when the lead came in, weighted by their share of new leads."""
    bdrs, rng = world.staff.bdrs, world.rng
    for _ in range(100):
        bdr = bdrs[bisect(world.bdr_cum, rng.random() * world.bdr_cum[-1])]
        if bdr.joined < created and (bdr.left is None or bdr.left > created + 3 * ONE_DAY):
            return bdr
    return next((b for b in bdrs if b.left is None and b.joined < created), bdrs[0])


def make_leads(world: World, count: int) -> list[Lead]:
    """`count` leads in order of arrival, each with its BDR and, for a few, its deletion."""
    rng = world.rng
    latest = int((world.now - world.start).total_seconds() * 1000) - 1_800_000
    moments = []
    for _ in range(count):
        created = working_moment(rng, world.start + ms(rng.randrange(latest)))
        if created > world.now - timedelta(minutes=30):  # no working hours left: any time
            created = world.start + ms(rng.randrange(latest))
        moments.append(created)
    leads = []
    for created in sorted(moments):
        name = (
            f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_KINDS)} "
            f"{rng.choice(_COMPANY_FORMS)}"
        )
        category, bdr = rng.choice(CATEGORIES), _pick_bdr(world, created)
        lead = Lead(world.new_id(), name, category, bdr, created)
        lead.stop = min(world.now, lead.bdr.left or world.now)
        if rng.random() < 0.08:  # soft-deleted later, with its activity kept
            deleted = working_moment(rng, created + days(rng, 3, 40))
            if deleted < lead.stop:
                lead.deleted = lead.stop = deleted
                lead.touch(deleted)
        leads.append(lead)
    return leads


def simulate(world: World, lead: Lead) -> None:
    """Play a lead's life out from its creation to its stop."""
    rng = world.rng
    if rng.random() < 0.5:
        lead_gen = rng.choice(world.staff.lead_gens)
        world.log(lead.id, lead_gen, "NOTE", lead.created, "Imported from the lead-gen sheet")
    if rng.random() < 0.07:  # never worked; some written off later
        if rng.random() < 0.5:
            world.lose(lead, working_moment(rng, lead.created + days(rng, 2, 20)))
        return
    booked = working_moment(rng, lead.created + minutes(rng, 10, 3 * 1440))
    if booked > lead.stop:
        return
    world.move(lead, "CALL_BOOKED", booked)
    _work_lead(world, lead, booked)


def _work_lead(world: World, lead: Lead, moment: datetime) -> None:
    """Calls until the lead is lost, stalls, reaches an agreement, or time runs out."""
    rng, skill = world.rng, lead.bdr.skill
    gap, touches = (1, 4), 0
    while True:
        what, moment = call(world, lead, moment, gap, lead.stop)
        if what in ("upcoming", "ended"):
            return
        if what == "rescheduled":
            gap = (1, 5)
            continue
        if what != "completed":  # no-show, missed or cancelled
            if rng.random() < 0.08:
                if rng.random() < 0.4:
                    world.lose(lead, working_moment(rng, moment + minutes(rng, 30, 2880)))
                return
            moment = working_moment(rng, moment + minutes(rng, 5, 1440))
            if moment > lead.stop:
                return
            gap = (1, 5)
            continue
        extras(world, lead, moment)
        moment += minutes(rng, 1, 8)
        if moment > lead.stop:
            return
        if lead.status == "CALL_BOOKED":
            world.move(lead, "CALL_CONDUCTED", moment)
        touches += 1
        draw = rng.random()
        if lead.status == "CALL_CONDUCTED":
            if draw < 0.3 * skill:
                moment = working_moment(rng, moment + minutes(rng, 30, 2 * 1440))
                if moment > lead.stop:
                    return
                _propose(world, lead, moment, "Proposal sent")
                gap, touches = (1, 4), 0
            elif draw < 0.3 * skill + 0.02 + 0.01 * touches:
                world.lose(lead, moment)
                return
            else:
                gap = (1, 4)
            continue
        if draw < 0.25 * skill:
            _agree(world, lead, moment)
            return
        draw -= 0.25 * skill
        if draw < 0.02 + 0.01 * touches:
            world.lose(lead, moment)
            return
        draw = rng.random()
        if lead.status == "PROPOSAL_SENT" and draw < 0.45:
            world.move(lead, "PROPOSAL_FOLLOW_UP", moment)
        elif lead.status == "PROPOSAL_FOLLOW_UP" and draw < 0.12:
            _propose(world, lead, moment, "Revised proposal sent")
        gap = (1, 4)


def _propose(world: World, lead: Lead, at: datetime, note: str) -> None:
    """A proposal sent by email, and sometimes a walk-through meeting after it."""
    world.move(lead, "PROPOSAL_SENT", at)
    world.log(lead.id, lead.bdr.id, "EMAIL", at, note, completed=at)
    rng = world.rng
    if rng.random() < 0.25:  # a walk-through meeting, a manager sometimes along
        slot = pick_slot(world, lead.bdr, at, 1, 4)
        done = slot + minutes(rng, 30, 60)
        if done <= lead.stop:
            user = rng.choice(world.staff.managers) if rng.random() < 0.4 else lead.bdr.id
            world.logs.append(
                (
                    world.new_id(),
                    lead.id,
                    user,
                    "MEETING",
                    slot,
                    done,
                    "COMPLETED",
                    None,
                    None,
                    "Proposal walk-through",
                    at,
                    done,
                )
            )


def _agree(world: World, lead: Lead, at: datetime) -> None:
    """Agreement on a call, with a partner-list due date; the list (if any) goes later.

    Lists are played out once every lead has reached its agreement (`lists.after_agreements`),
    so partner contacts can be shared out over the lists that went out.
    """
    rng = world.rng
    lead.agreement = at
    world.move(lead, "AGREEMENT_SIGNED", at)
    due_day = utc_to_local(at).date() + timedelta(days=rng.randint(7, 21))
    lead.due = local_to_utc(datetime.combine(due_day, time(17)))
    sent = None
    if lead.deleted is None and rng.random() > 0.08:  # a few stall and never send
        window = int((lead.due - at).total_seconds() * 1000) + 5 * 86_400_000
        sent = working_moment(rng, at + timedelta(hours=20) + ms(rng.randrange(window)))
    world.agreed.append((lead, sent if sent is not None and sent <= lead.stop else None))
