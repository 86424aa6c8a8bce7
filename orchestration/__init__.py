"""Dagster's code location for the warehouse: definitions, resources, schedules, sensors.

Everything else (the CLI, the warehouse, alerts, Superset) is the `emg` package.
"""
