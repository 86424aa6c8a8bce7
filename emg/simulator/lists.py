"""Partner lists: sent once every lead has reached its agreement, in sublists of partner
contacts, with the sales they make and the list's outcome; and the CRM's copies of those
sales on the lead, a few of them wrong."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal

from emg.simulator.calls import check_ins
from emg.simulator.clock import days, minutes, ms, working_moment
from emg.simulator.people import FIRST_NAMES, LAST_NAMES
from emg.simulator.world import Lead, World


def after_agreements(world: World, contacts: int) -> None:
    """Send the lists (about `contacts` partner contacts in all), then the check-in calls.

    Each list's size is drawn around its fair share of what is left, so the total stays
    close to `contacts` however many lists went out, while single lists still vary.
    """
    rng = world.rng
    lists = sum(1 for _, sent in world.agreed if sent is not None)
    share, given, number = contacts / max(lists, 1), 0, 0
    for lead, sent in world.agreed:
        life_end = lead.stop
        if sent is not None:
            number += 1
            wanted = round(share * number) - given
            size = min(100, max(3, round(wanted * rng.uniform(0.5, 1.5))))
            life_end, made = _send_list(world, lead, sent, size)
            given += made
        check_ins(world, lead, lead.agreement, life_end)


def _sublist_sizes(world: World, size: int) -> list[int]:
    """`size` contacts split into sublists of 3 to 20."""
    rng = world.rng
    count = round(size / rng.uniform(8, 15))
    count = max(-(-size // 20), min(size // 3, count), 1)
    sizes = [3] * count
    for _ in range(size - 3 * count):
        open_ = [i for i, n in enumerate(sizes) if n < 20]
        sizes[rng.choice(open_)] += 1
    return sizes


def _send_list(world: World, lead: Lead, sent: datetime, size: int) -> tuple[datetime, int]:
    """The list goes out: sublists of partner contacts, their sales, the list's outcome.

    (end of the lead's check-in calls, partner contacts made)
    """
    rng, bdr = world.rng, lead.bdr
    world.move(lead, "PARTNER_LIST_SENT", sent)
    lead.sent = sent
    world.log(lead.id, bdr.id, "EMAIL", sent, "Partner list sent", completed=sent)
    quality = 0.0 if rng.random() < 0.4 else rng.uniform(0.04, 0.18)
    created, made, sales = sent, 0, []
    for number, contacts in enumerate(_sublist_sizes(world, size), start=1):
        if number > 1:
            created = working_moment(rng, created + days(rng, 1, 6))
            if created > lead.stop:
                break
        sublist_id = world.new_id()
        world.sublists.append((sublist_id, lead.id, f"{lead.name} - list {number}", created))
        for _ in range(contacts):
            made += 1
            contact_id = world.new_id()
            status, updated = "LEAD", created + minutes(rng, 0, 5)
            if rng.random() < quality:
                sold = created + minutes(rng, 30, 120) + days(rng, 0, 1)
                sold += ms(int(rng.expovariate(1 / 10) * 86_400_000))
                if sold <= world.now:
                    sales.append(_record_sale(world, contact_id, sold))
                    status, updated = "SOLD", max(updated, sold)
            if rng.random() < 0.6:
                at = created + minutes(rng, 1, 30)
                if at <= lead.stop:
                    world.log(contact_id, bdr.id, "EMAIL", at, "Partner intro", completed=at)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, {lead.name}"
            world.contacts.append(
                (
                    contact_id,
                    name,
                    lead.category,
                    status,
                    bdr.id,
                    sublist_id,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    created,
                    min(updated, world.now),
                    None,
                )
            )
    if rng.random() < 0.12:  # the lead buys from the list itself
        sold = sent + minutes(rng, 60, 240) + ms(int(rng.expovariate(1 / 14) * 86_400_000))
        if sold <= world.now:
            sales.append(_record_sale(world, lead.id, sold))
    lead.list_size = made if rng.random() < 0.85 else None
    if sales:
        lead.first_sale = min(sale[1] for sale in sales)
        lead.total = len(sales)  # totalSalesFromList: a number of sales
        lead.touch(max(sale[1] for sale in sales))
        outcome_at = working_moment(rng, lead.first_sale + minutes(rng, 60, 3 * 1440))
        outcome = "SOLD"
    else:
        outcome_at = working_moment(rng, sent + days(rng, 14, 28))
        outcome = "LIST_OUT_NOT_SOLD" if rng.random() < 0.55 else "FREE_QA_OFFERED"
    if outcome_at > lead.stop:
        return lead.stop, made
    world.move(lead, outcome, outcome_at)
    if outcome == "SOLD":  # an account now: check-ins go on
        return lead.stop, made
    return min(lead.stop, outcome_at + days(rng, 14, 40)), made


def _record_sale(world: World, item_id: str, sold: datetime) -> tuple:
    """A sale of the feed: (item id, sold at, amount, currency)."""
    rng = world.rng
    cents = int(rng.lognormvariate(math.log(40_000), 0.7))
    amount = Decimal(min(max(cents, 1_500), 1_500_000)).scaleb(-2)
    currency = "EUR" if rng.random() < 0.05 else "GBP"
    sale = (item_id, sold, amount, currency)
    world.sales.append(sale)
    return sale


# --- the CRM's copies of the feed ----------------------------------------------------------


def disagree(world: World, leads: list[Lead]) -> None:
    """A few leads whose CRM copies of the feed are wrong, for the audit model to find."""
    rng = world.rng
    sold = [lead for lead in leads if lead.total is not None]
    chosen = rng.sample(sold, max(1, round(len(sold) * 0.08))) if sold else []
    for number, lead in enumerate(chosen):
        if number % 2 == 0:  # the copy's count is off (a sale missed, or one too many)
            lead.total += -1 if number % 4 == 2 and lead.total > 1 else 1
        else:  # the copy never got the date
            lead.first_sale = None
    unsold = [lead for lead in leads if lead.sent is not None and lead.total is None]
    for lead in rng.sample(unsold, min(len(unsold), world.staff_units)):
        phantom = lead.sent + days(rng, 1, 5)
        if phantom <= world.now:  # a sale typed into the CRM that the feed never had
            lead.first_sale, lead.total = phantom, 1
            lead.touch(phantom)
