"""Pure generation of the simulated CRM: a config in, rows per table out (no I/O, no clock).

`generate` plays out every lead (`leads`, `calls`), then the partner lists that went out
(`lists`), then the CRM's wrong copies of the feed and the targets (`targets`), all on the
state in `world`. The data is consistent by construction: no agreement without a completed
call before it, no list before its agreement, contacts only under sent lists, sales only
after the list went out, and nothing after `as_of` but calls booked for the days ahead.
Like the real CRM, it gained its agreementDate and partnerListSentDate columns late
(`SimConfig.date_columns_days`): older agreements and lists out leave them empty.
The one RNG is `random.Random(seed)`: the same config gives the same rows.
"""

from __future__ import annotations

from datetime import UTC

from emg.simulator.dataset import Dataset, SimConfig
from emg.simulator.leads import make_leads, simulate
from emg.simulator.lists import after_agreements, disagree
from emg.simulator.targets import kpi_rows
from emg.simulator.world import World

CONTACTS_PER_LEAD = 9.5  # the original seed: ~1,500 pipeline items for 150 leads


def generate(config: SimConfig) -> Dataset:
    """Every source table of contract §2 for `config`, deterministically."""
    world = World(config)
    leads = make_leads(world, config.leads * config.scale)
    for lead in leads:
        simulate(world, lead)
    after_agreements(world, round(CONTACTS_PER_LEAD * len(leads)))
    disagree(world, leads)
    loaded_at = world.now.replace(tzinfo=UTC)
    ordered = sorted(world.sales, key=lambda sale: (sale[1], sale[0]))
    sales = [
        (f"S{number:07d}", item_id, sold.replace(tzinfo=UTC), amount, currency, loaded_at)
        for number, (item_id, sold, amount, currency) in enumerate(ordered, start=1)
    ]
    tables = {
        "User": list(world.staff.user_rows),
        "PipelineItem": [lead.row(world.date_columns_since) for lead in leads] + world.contacts,
        "Sublist": world.sublists,
        "ActivityLog": world.logs,
        "KpiTarget": kpi_rows(world),
        "sales": sales,
    }
    return Dataset(as_of=world.now, tables=tables)
