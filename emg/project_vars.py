"""The dbt project's own settings (`vars:` in dbt_project.yml), for the Python that needs them.

Facts the models and the Python share are written once, in dbt_project.yml, and read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from emg.errors import EmgError
from emg.paths import project_dir


def dbt_vars(project_file: Path | None = None) -> dict[str, Any]:
    """The `vars:` of dbt_project.yml (or of `project_file`)."""
    path = project_file or project_dir() / "dbt_project.yml"
    try:
        return yaml.safe_load(path.read_text()).get("vars") or {}
    except (OSError, yaml.YAMLError, AttributeError) as err:
        raise EmgError(f"cannot read the vars of {path}: {err}".splitlines()[0]) from None


@dataclass(frozen=True)
class Window:
    """The plausible instants for a date written at some moment (contract §8): from the var
    earliest_plausible_date up to plausible_days_ahead days after the writing."""

    earliest: datetime
    latest: datetime
    days_ahead: int

    def __contains__(self, moment: datetime) -> bool:
        return self.earliest <= moment <= self.latest


def plausible_window(written_at: datetime, project_file: Path | None = None) -> Window:
    """The window of the dbt vars `earliest_plausible_date` and `plausible_days_ahead` for a
    date written at `written_at` (a load, a command's own clock)."""
    values = dbt_vars(project_file)
    try:
        earliest = date.fromisoformat(str(values["earliest_plausible_date"]))
        days_ahead = int(values["plausible_days_ahead"])
    except (KeyError, TypeError, ValueError) as err:
        raise EmgError(
            "dbt_project.yml needs the vars earliest_plausible_date (YYYY-MM-DD) and "
            f"plausible_days_ahead (whole days) ({type(err).__name__}: {err})"
        ) from None
    return Window(
        earliest=datetime.combine(earliest, time(), UTC),
        latest=written_at.astimezone(UTC) + timedelta(days=days_ahead),
        days_ahead=days_ahead,
    )


@dataclass(frozen=True)
class TrafficLightRatios:
    """The shares of its target a value needs for a green or an amber light (the dbt vars
    traffic_light_green_ratio and traffic_light_amber_ratio, as the marts' `status` uses them)."""

    green: float
    amber: float


def traffic_light_ratios(project_file: Path | None = None) -> TrafficLightRatios:
    """The traffic-light ratios of dbt_project.yml (or of `project_file`)."""
    values = dbt_vars(project_file)
    try:
        return TrafficLightRatios(
            green=float(values["traffic_light_green_ratio"]),
            amber=float(values["traffic_light_amber_ratio"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise EmgError(
            "dbt_project.yml needs the vars traffic_light_green_ratio and "
            f"traffic_light_amber_ratio (numbers such as 0.8) ({type(err).__name__}: {err})"
        ) from None
