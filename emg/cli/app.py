"""`emg`: the project's command line. Thin shells over the modules that do the work.

Every failure a user can fix is an `EmgError`, printed as one line (no traceback) with
exit code 1.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import click

from emg.errors import EmgError


def parse_as_of(value: str | None) -> datetime | None:
    """An ISO-8601 instant; a naive one is taken as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EmgError(
            f"--as-of {value!r} is not an ISO-8601 instant; use e.g. 2026-11-25T09:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    from emg.project_vars import plausible_window

    window = plausible_window(datetime.now(UTC))
    if parsed not in window:
        raise EmgError(
            f"--as-of {value!r} is outside the plausible window {window.earliest:%Y-%m-%d} to "
            f"{window.latest:%Y-%m-%d} (dbt vars earliest_plausible_date, plausible_days_ahead)"
        )
    return parsed


class _OneLineErrors(click.Group):
    """Every error a user can fix is one line on stderr: ours (exit 1) and click's usage
    errors, such as a bad option value (exit 2), which click would print with a usage block."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except EmgError as err:
            click.echo(f"emg: error: {err}", err=True)
            sys.exit(1)
        except click.exceptions.Abort:
            click.echo("emg: aborted", err=True)
            sys.exit(130)
        except click.ClickException as err:
            command = err.ctx.command_path if getattr(err, "ctx", None) else "emg"
            message = " ".join(err.format_message().split())
            click.echo(f"emg: error: {message} (see `{command} --help`)", err=True)
            sys.exit(err.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=_OneLineErrors)
def main() -> None:
    """EMG sales reporting warehouse."""
    os.umask(0o077)  # nothing emg or its children write is readable by other OS users
