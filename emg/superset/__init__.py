"""Superset as a project component: its local state, the warehouse login it reads with, the
dashboards-as-code bundle and the server's start, stop and import.

Modules: `instance` (state folder, port, secrets), `reader` (the read-only login role),
`event_log` (Superset's action log without secrets), the dashboards as code, all pure but the
reading of the project's files: `spec` (superset/ read and checked), `docs` (the marts' dbt
docs), `datasets` and `dashboards` (Superset's YAML for each), `bundle` (the import bundle
they make up); `scopes` (filter scopes after an import), `api` (the REST client), `roles` (the
readers' roles of superset/roles.yml and their row-level security), `users` (`emg superset
user`), `landing` (the index view that sends a login to the Overview, loaded by Superset) and
`server` (the thin shell `emg superset` calls).
"""
