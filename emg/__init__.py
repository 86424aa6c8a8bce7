"""emg: EMG's sales reporting warehouse, the product around the dbt project.

The command line (`emg`, cli/), the embedded warehouse, the sales feed, the Slack alerts,
the Superset dashboards as code and the services they run as. Developer tools live beside
it: the CRM simulator (simulator/) and the benchmark (bench/, with the `tools` extra).
Dagster's code location is the separate package `orchestration`.
"""
