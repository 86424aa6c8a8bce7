"""The dbt project's own settings (`vars:` in dbt_project.yml), for the Python that needs them.

Facts the models and the Python share are written once, in dbt_project.yml, and read here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import yaml

from orchestration.errors import EmgError
from orchestration.paths import project_dir


@cache
def dbt_vars() -> dict[str, Any]:
    path = project_dir() / "dbt_project.yml"
    try:
        return yaml.safe_load(path.read_text()).get("vars") or {}
    except (OSError, yaml.YAMLError, AttributeError) as err:
        raise EmgError(f"cannot read the vars of {path}: {err}".splitlines()[0]) from None


def plausible_window(written_at: datetime) -> tuple[datetime, datetime]:
    """(earliest, latest) plausible instant for a date written at `written_at` (SPEC §8):
    from the var earliest_plausible_date to plausible_days_ahead days after the writing."""
    values = dbt_vars()
    try:
        earliest = date.fromisoformat(str(values["earliest_plausible_date"]))
        ahead = int(values["plausible_days_ahead"])
    except (KeyError, ValueError) as err:
        raise EmgError(
            f"dbt_project.yml: vars earliest_plausible_date (YYYY-MM-DD) and "
            f"plausible_days_ahead (whole days) are required ({err})"
        ) from None
    start = datetime(earliest.year, earliest.month, earliest.day, tzinfo=UTC)
    return start, written_at.astimezone(UTC) + timedelta(days=ahead)
