"""`emg bench`: how the warehouse scales, beside computing the KPIs live from the CRM tables.

load (generate + COPY vs the raw COPY ceiling) → build (full, then one realistic hour of
changes and an incremental build, checked equal to a full refresh) → read (each dashboard
question on the marts and live from `crm`, same answer asserted, p50/p95 cold and warm).
With `--engine spark` (engines.py), the build alone, on the local Spark session beside
PostgreSQL: the same data and selection on both, and Spark's time over PostgreSQL's.
"""
