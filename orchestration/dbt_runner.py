"""Run dbt against the warehouse with the project's profile and vars."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from orchestration.paths import project_dir, state_dir
from orchestration.warehouse import settings

DEFAULT_TIMEZONE = "Europe/London"


def profiles_dir() -> Path:
    """The project root if it holds a profiles.yml of the user's; else a copy of the example."""
    root = project_dir()
    if (root / "profiles.yml").exists():
        return root
    target = state_dir() / "profiles"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "profiles.yml.example", target / "profiles.yml")
    return target


def dbt_env() -> dict[str, str]:
    """This process's environment plus the warehouse's PG* variables and the profile folder."""
    env = dict(os.environ)
    env.update(settings().libpq_env())
    env["DBT_PROFILES_DIR"] = str(profiles_dir())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def reporting_timezone() -> str:
    """The IANA zone every local date, week and hour is in: `EMG_TIMEZONE`, else London."""
    return os.environ.get("EMG_TIMEZONE", DEFAULT_TIMEZONE)


def dbt_vars(as_of: datetime, timezone: str | None = None) -> dict[str, str]:
    return {
        "as_of": as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "reporting_timezone": timezone or reporting_timezone(),
    }


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def run_dbt(args: list[str], as_of: datetime | None = None, **kwargs) -> int:
    """`dbt ARGS --vars ...` in the project folder; dbt's own progress goes to the terminal."""
    command = [dbt_executable(), *args]
    if as_of is not None:
        command += ["--vars", json.dumps(dbt_vars(as_of))]
    return subprocess.run(
        command, cwd=project_dir(), env=dbt_env(), check=False, **kwargs
    ).returncode


def build(as_of: datetime, full_refresh: bool = False, select: str | None = None) -> int:
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    return run_dbt(args, as_of=as_of)
