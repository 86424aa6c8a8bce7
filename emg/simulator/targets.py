"""KPI targets: the CRM's overrides of the seed's defaults."""

from __future__ import annotations

from datetime import timedelta

from emg.simulator.clock import utc_to_local
from emg.simulator.world import World


def kpi_rows(world: World) -> list[tuple]:
    """Overrides of the seed's default targets: team and per-BDR, one superseded."""
    units, today = world.staff_units, utc_to_local(world.now).date()
    first = utc_to_local(world.start).date().replace(day=1)
    team = [
        ("CALLS_COMPLETED", "WEEK", None, 80 * units, first, today - timedelta(days=30)),
        ("CALLS_COMPLETED", "WEEK", None, 90 * units, today - timedelta(days=45), None),
        ("AGREEMENTS", "MONTH", None, 10 * units, first, None),
        ("LISTS_OUT", "MONTH", None, 8 * units, first, None),
        ("UPCOMING_CALLS", "WEEK", None, 30 * units, first, None),
    ]
    for unit in range(units):
        bdrs = world.staff.bdrs[unit * 6 : unit * 6 + 6]
        team.append(("CALLS_COMPLETED", "WEEK", bdrs[0].id, 25, first, None))
        team.append(("SALES", "MONTH", bdrs[1].id, 4, first, None))
    return [(world.new_id(), *row) for row in team]
