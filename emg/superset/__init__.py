"""Superset as a project component: its local state, the warehouse login it reads with, the
dashboards-as-code bundle and the server's start, stop and import.

Modules: `settings` (state folder, port, secrets), `reader` (the read-only login role),
`bundle` (pure: spec + dbt docs -> Superset's import format), `api` (the REST client) and
`server` (the thin shell `emg superset` calls).
"""
