"""The simulated CRM: realistic, deterministic source tables (contract §2) and their bad rows (§8).

`model` generates (pure), `defects` injects bad rows (pure), `load` COPYs into the warehouse,
`command.cli_generate` is what `emg crm generate` runs.
"""

from emg.simulator.command import cli_generate

__all__ = ["cli_generate"]
