"""Every environment variable emg reads, in one place.

This module is the only one that reads emg's variables from the environment. `VARIABLES` is the
table of them (name, default, what reads it), and the README's table is checked against it by
a test. Three readers stay outside it, each the framework's own way:
- Dagster's resources read theirs with `dg.EnvVar` when a run needs them (orchestration/defs).
- The models read EMG_AS_OF with dbt's `env_var()` (macros/time/as_of.sql), and the Spark
  profile EMG_SPARK_DIR, which emg sets itself (dbt_runner.dbt_env) and nobody else needs to.
- dbt and psql read libpq's PG* variables themselves.

A dbt var is passed to dbt only when its variable is set here. Otherwise dbt_project.yml's
`vars:` are the defaults, and editing them there takes effect.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from emg.errors import EmgError


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # what applies while it is unset, in words
    read_by: str  # what reads it, for the README's table
    secret: bool = False  # never printed, logged or written to an artefact


VARIABLES = (
    Variable("EMG_STATE_DIR", "`.emg/` in the checkout",
             "every command: the embedded warehouse, dbt's profile, Dagster's and Superset's "
             "homes, the build lock"),
    Variable("EMG_PROJECT_DIR", "the checkout the package sits in",
             "every command: where dbt_project.yml, superset/ and profiles.yml.example are"),
    Variable("EMG_PG_PORT", "54329", "the embedded warehouse's TCP port"),
    Variable("EMG_DAGSTER_PORT", "3000", "`emg dagster start`: the Dagster UI's port"),
    Variable("EMG_SUPERSET_PORT", "8088", "`emg superset start`: Superset's port"),
    Variable("EMG_DOCS_PORT", "8080", "`emg docs`: the port of dbt's docs site"),
    Variable("EMG_API_PORT", "8000", "`emg api start`: the reporting API's port"),
    Variable("EMG_API_TOKEN", "generated once into `.emg/api/token`",
             "the reporting API: the bearer token its callers send", secret=True),
    Variable("EMG_TIMEZONE", "the dbt var `reporting_timezone` (Europe/London)",
             "`emg build`, Dagster's builds and schedules, `emg alerts send`: passed to dbt "
             "as that var only when set"),
    Variable("EMG_ALERT_REMINDER_HOURS", "24", "`emg alerts send`: hours between reminders"),
    Variable("EMG_SLACK_OFFICE_HOURS", "Mon-Fri 08:00-18:00",
             "`emg alerts send` and Dagster's `slack_alerts` asset: when Slack posts go out, in "
             "the reporting timezone (`Mon-Thu 08:00-18:00; Fri 08:00-16:00`, or `always`); "
             "what falls outside waits for the first run inside"),
    Variable("SLACK_WEBHOOK_URL", "unset: alerts are a dry run",
             "`emg alerts send` and Dagster's `slack_alerts` asset", secret=True),
    Variable("SUPERSET_BASE_URL", "unset: no dashboard links",
             "Slack messages: links to the dashboards"),
    Variable("DAGSTER_BASE_URL", "http://127.0.0.1:`EMG_DAGSTER_PORT`",
             "Slack's build-failure message: the link to the run"),
    Variable("SUPERSET_SECRET_KEY", "generated once into `.emg/superset/secret_key`",
             "Superset's session signing key", secret=True),
    Variable("SUPERSET_ADMIN_PASSWORD", "generated once into `.emg/superset/admin_password`",
             "`emg superset start`: the `admin` login's password", secret=True),
    Variable("PGHOST, PGPORT, PGUSER, PGDATABASE", "unset: the embedded warehouse",
             "every command and dbt: your own PostgreSQL instead of the embedded one"),
    Variable("PGPASSWORD", "unset: ~/.pgpass or the embedded warehouse's password file",
             "every command and dbt, with your own PostgreSQL", secret=True),
)  # fmt: skip

# Names a program may ask for: each variable of the table, the PG* row split into its names.
_NAMES = frozenset(name.strip() for v in VARIABLES for name in v.name.split(","))


def get(name: str) -> str | None:
    """The variable's value, or None where it is unset or empty."""
    if name not in _NAMES:
        raise KeyError(f"{name} is not in emg.settings.VARIABLES; add it there first")
    return os.environ.get(name) or None


def port(name: str, default: int) -> int:
    """A port number from the variable, or a one-line error naming it."""
    raw = get(name) or str(default)
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise EmgError(f"{name}={raw!r} is not a port number (1-65535); set it to e.g. {default}")
    return number


def environment() -> dict[str, str]:
    """A copy of this process's environment, for a child process (dbt, Dagster, Superset) to
    start from."""
    return dict(os.environ)


@contextmanager
def variable_set(name: str, value: str) -> Iterator[None]:
    """`name=value` in this process's environment for the block, then as it was. This is for a
    library that reads the environment itself and takes no other way in (dagster-dbt runs dbt
    with this process's environment)."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def markdown_table() -> str:
    """VARIABLES as the README shows them (a test holds the README to this)."""
    lines = ["| variable | default | read by |", "|---|---|---|"]
    for v in VARIABLES:
        names = ", ".join(f"`{name.strip()}`" for name in v.name.split(","))
        lines.append(f"| {names} | {v.default} | {v.read_by}{' (a secret)' if v.secret else ''} |")
    return "\n".join(lines) + "\n"
