"""`emg`: the project's command line. Thin shells over the modules that do the work, one
module per group of commands; app.py holds the `main` group and its one-line errors."""

from emg.cli import alerts, api, bench, data, dbt, services, warehouse  # noqa: F401  (register)
from emg.cli.app import main

__all__ = ["main"]
