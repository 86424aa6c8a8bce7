"""The simulated CRM: realistic, deterministic source tables (contract §2) and their bad rows (§8).

`generate` generates (pure: a `dataset.SimConfig` in, a `dataset.Dataset` out, played out on
the state in `world` by `leads`, `calls`, `lists` and `targets`), `defects` injects bad rows
(pure), `load` COPYs into the warehouse, `command.cli_generate` is what `emg crm generate`
runs.
"""

from emg.simulator.command import cli_generate

__all__ = ["cli_generate"]
