"""The benchmark's measurements, one scale at a time, on the configured warehouse.

Everything here replaces the warehouse's crm and sales_ext schemas and rebuilds the dbt
schemas: run it on the embedded warehouse or a scratch database, never on production.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psutil

from emg import warehouse as wh
from emg.bench import api as api_bench
from emg.bench import change
from emg.bench.breakdown import breakdown
from emg.bench.questions import QUESTIONS, params
from emg.build_lock import build_lock
from emg.dbt_runner import public_marts, reporting_timezone, run_dbt, run_results_file
from emg.errors import EmgError
from emg.simulator.dataset import SimConfig
from emg.simulator.generate import generate
from emg.simulator.load import csv_chunks, replace_tables
from emg.simulator.tables import COLUMNS, CRM_TABLES, QUALIFIED
from emg.spark.session import spark_lock, target_type

AS_OF = datetime(2026, 11, 25, 15, tzinfo=UTC)  # a Wednesday afternoon, London time
# What the CRM's own database would index (primary keys, foreign keys, the date filters).
# Created after the load, before any build: the builds read a replica indexed as the CRM is
# (a replica carries its primary's keys), and the live side is measured at its best.
OLTP_INDEXES = (
    'create unique index on crm."User" ("id")',
    'create unique index on crm."PipelineItem" ("id")',
    'create index on crm."PipelineItem" ("sublistId")',
    'create index on crm."PipelineItem" ("assignedToId")',
    'create unique index on crm."Sublist" ("id")',
    'create index on crm."Sublist" ("parentItemId")',
    'create unique index on crm."ActivityLog" ("id")',
    'create index on crm."ActivityLog" ("pipelineItemId")',
    'create index on crm."ActivityLog" ("userId", "completedDate")',
    'create index on crm."ActivityLog" ("type", "scheduledDate")',
    'create index on sales_ext.sales ("pipeline_item_id")',
)

# What the hourly Dagster job runs (orchestration/definitions.py): incremental, the marts' data
# tests; no unit tests (those test the SQL, not the data; the nightly build and CI run them)
# and no tests tagged nightly (staging's and audit's, which read the whole history).
HOURLY_BUILD = ["build", "--exclude-resource-type", "unit_test", "--exclude", "tag:nightly"]
# The models (and the seeds they read, which a fresh warehouse lacks) without any test.
MODELS_ONLY = ["build", "--full-refresh", "--exclude-resource-type", "test",
               "--exclude-resource-type", "unit_test"]  # fmt: skip
# Everything, tests included, from scratch.
FULL_BUILD = ["build", "--full-refresh"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Timing:
    p50: float
    p95: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(p50=statistics.median(ordered), p95=p95)


def machine(conn) -> dict:
    with conn.cursor() as cur:
        cur.execute("show server_version")
        version = cur.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "postgres": version,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --- load ------------------------------------------------------------------------------


def _copy_ceiling(conn, tables: dict[str, list[tuple]]) -> float:
    """rows/s of a bare COPY of the same rows (CSV prepared beforehand) into empty tables.

    The CSV waits in files, not in memory: at scale 1000 it would be a second copy of the
    whole dataset (about 0.9 GB) beside the generated rows.
    """
    names = [*CRM_TABLES, "sales"]
    rows = sum(len(tables[name]) for name in names)
    with tempfile.TemporaryDirectory(prefix="emg-bench-") as folder:
        files = {name: Path(folder) / f"{name}.csv" for name in names}
        for name in names:
            with files[name].open("w", newline="") as handle:
                for _, buffer in csv_chunks(tables[name]):
                    handle.write(buffer.getvalue())
        with conn.cursor() as cur:
            for name in names:
                cur.execute(f"create temp table ceiling_{name.lower()} (like {QUALIFIED[name]})")
            started = time.perf_counter()
            for name in names:
                columns = ", ".join(f'"{column}"' for column in COLUMNS[name])
                with files[name].open() as handle:
                    cur.copy_expert(
                        f"copy ceiling_{name.lower()} ({columns}) from stdin with (format csv)",
                        handle,
                    )
            elapsed = time.perf_counter() - started
    conn.rollback()
    return rows / elapsed


# The simulated CRM the benchmark loads: `emg crm generate`'s defaults at each scale.
SIMULATION = {"seed": 42, "leads": 150, "days_back": 90, "days_forward": 30}


def index_like_the_crm(conn) -> None:
    """The replica's indexes (OLTP_INDEXES) and statistics, as the CRM's own database has."""
    with conn.cursor() as cur:
        for statement in OLTP_INDEXES:
            cur.execute(statement)
        cur.execute('analyze crm."User", crm."PipelineItem", crm."Sublist"')
        cur.execute('analyze crm."ActivityLog", crm."KpiTarget", sales_ext.sales')
    conn.commit()


def load(conn, scale: int) -> tuple[dict, str]:
    started = time.perf_counter()
    dataset = generate(SimConfig(as_of=AS_OF, scale=scale, **SIMULATION))
    generated = time.perf_counter() - started
    stats = replace_tables(conn, dataset.tables, with_sales=True)
    ceiling = _copy_ceiling(conn, dataset.tables)
    index_like_the_crm(conn)
    with conn.cursor() as cur:
        cur.execute("select id from crm.\"User\" where role = 'BDR' order by md5(id) limit 1")
        heatmap_bdr = cur.fetchone()[0]
    conn.commit()
    return {
        "rows": stats.rows,
        "generate_s": round(generated, 3),
        "load_s": round(stats.seconds, 3),
        "load_rows_per_s": round(stats.rows / stats.seconds),
        "copy_ceiling_rows_per_s": round(ceiling),
        "load_vs_ceiling": round(stats.rows / stats.seconds / ceiling, 3),
        # the generated rows are held in memory until loaded: this process's peak so far.
        # dbt's is not recorded: a child's ru_maxrss counts this process's memory before exec.
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }, heatmap_bdr


# --- build -----------------------------------------------------------------------------


def timed_dbt(args: list[str], as_of: datetime, target: str | None = None) -> dict:
    """Run dbt once on the profile's `target` (default: PostgreSQL's prod), holding its
    engine's build lock; its wall time and where it went (breakdown.py)."""
    lock = spark_lock if target_type(target) == "spark" else build_lock
    with lock(f"emg bench (pid {os.getpid()})"):
        started_at, started = time.time(), time.perf_counter()
        code = run_dbt(args, as_of=as_of, target=target, stdout=subprocess.DEVNULL)
        wall, ended_at = time.perf_counter() - started, time.time()
    command = f"dbt {' '.join(args)}" + (f" --target {target}" if target else "")
    if code != 0:
        raise EmgError(f"{command} failed during the benchmark; run it to see why")
    try:
        results = json.loads(run_results_file().read_text())
        return {"command": command, **breakdown(results, started_at, ended_at, wall)}
    except (OSError, ValueError, KeyError) as err:
        raise EmgError(
            f"{command}: no run_results.json of this run in {run_results_file().parent} "
            f"({err}); the benchmark reads dbt's artefacts: unset DBT_WRITE_JSON"
        ) from None


def checksums(conn) -> dict[str, list]:
    """Row count and an order-independent checksum of every mart."""
    result = {}
    with conn.cursor() as cur:
        for mart in public_marts():
            cur.execute(
                f"select count(*), md5(coalesce(string_agg(h, '' order by h), ''))"
                f" from (select md5(cast(t as text)) as h from marts.{mart} as t) as rows"
            )
            result[mart] = list(cur.fetchone())
    conn.commit()
    return result


def build(conn, scale: int) -> dict:
    later = AS_OF + timedelta(hours=1)
    models = timed_dbt(MODELS_ONLY, AS_OF)
    full = timed_dbt(FULL_BUILD, AS_OF)
    hour = change.HourlyChange.at_scale(scale)
    change.apply(conn, AS_OF.replace(tzinfo=None), hour)
    incremental = timed_dbt(HOURLY_BUILD, later)
    incremental_sums = checksums(conn)
    refreshed = timed_dbt(FULL_BUILD, later)
    refreshed_sums = checksums(conn)
    differing = sorted(m for m in incremental_sums if incremental_sums[m] != refreshed_sums[m])
    if differing:
        raise EmgError(f"incremental marts differ from a full refresh: {', '.join(differing)}")
    return {
        "full_models_s": round(models["wall_s"], 2),
        "full_build_s": round(full["wall_s"], 2),
        "hourly_change_rows": hour.rows(),
        "incremental_build_s": round(incremental["wall_s"], 2),
        "full_refresh_after_change_s": round(refreshed["wall_s"], 2),
        "full_vs_incremental": round(refreshed["wall_s"] / incremental["wall_s"], 2),
        "marts_equal": True,
        "mart_rows": {mart: rows for mart, (rows, _) in incremental_sums.items()},
        # where each invocation's time went (breakdown.py), in the order they ran
        "breakdown": {
            "full_models": models,
            "full_build": full,
            "incremental_build": incremental,
            "full_refresh_after_change": refreshed,
        },
    }


# --- read ------------------------------------------------------------------------------


def _normalise(rows: list[tuple]) -> list[tuple]:
    def value(item):
        if isinstance(item, bool) or item is None or isinstance(item, str):
            return item
        if isinstance(item, int | float | Decimal):
            return float(round(Decimal(item), 4))
        return item.isoformat() if hasattr(item, "isoformat") else item

    return [tuple(value(item) for item in row) for row in rows]


def _timed(conn, sql: str, values: dict) -> tuple[float, list[tuple]]:
    with conn.cursor() as cur:
        started = time.perf_counter()
        cur.execute(sql, values)
        rows = cur.fetchall()
        elapsed = time.perf_counter() - started
    return elapsed, rows


def question_params(heatmap_bdr: str) -> dict:
    """The questions' parameters, as of the end of the benchmark's hour of change."""
    return params(AS_OF + timedelta(hours=1), reporting_timezone(), heatmap_bdr)


def read(repeat: int, heatmap_bdr: str, progress: Progress) -> list[dict]:
    """Each question, mart and live: cold (first run on a new connection) and warm."""
    values = question_params(heatmap_bdr)

    results = []
    for question in QUESTIONS:
        progress(f"read: {question.title}")
        answers, timings = {}, {}
        for side, sql in (("mart", question.mart_sql), ("live", question.live_sql)):
            cold, warm = [], []
            for _ in range(repeat):
                conn = wh.connect()
                conn.autocommit = True
                seconds, rows = _timed(conn, sql, values)
                cold.append(seconds)
                conn.close()
            conn = wh.connect()
            conn.autocommit = True
            _timed(conn, sql, values)  # warm-up
            for _ in range(repeat):
                seconds, rows = _timed(conn, sql, values)
                warm.append(seconds)
            conn.close()
            answers[side] = _normalise(rows)
            timings[side] = {"cold": Timing.of(cold), "warm": Timing.of(warm)}
        if answers["mart"] != answers["live"]:
            raise EmgError(
                f"{question.name}: the marts and the live computation disagree "
                f"({answers['mart'][:3]} vs {answers['live'][:3]})"
            )
        results.append(
            {
                "question": question.name,
                "title": question.title,
                "rows": len(answers["mart"]),
                "same_answer": True,
                **{
                    f"{side}_{state}_{stat}_ms": round(
                        getattr(timings[side][state], stat) * 1000, 3
                    )
                    for side in ("mart", "live")
                    for state in ("cold", "warm")
                    for stat in ("p50", "p95")
                },
                "live_vs_mart_warm_p95": round(
                    timings["live"]["warm"].p95 / timings["mart"]["warm"].p95, 1
                ),
                "live_vs_mart_cold_p95": round(
                    timings["live"]["cold"].p95 / timings["mart"]["cold"].p95, 1
                ),
            }
        )
    return results


def run_scale(scale: int, repeat: int, progress: Progress, api: bool = False) -> dict:
    """One scale: load, build, read; with `api`, the reporting API under load (api.py)."""
    conn = wh.connect()
    try:
        progress(f"scale {scale}: generate and load")
        loaded, heatmap_bdr = load(conn, scale)
        progress(f"scale {scale}: dbt builds (full, hourly change, incremental, full refresh)")
        built = build(conn, scale)
    finally:
        conn.close()
    answers = read(repeat, heatmap_bdr, progress)
    served = {"api": api_bench.run(question_params(heatmap_bdr), progress)} if api else {}
    return {
        "scale": scale,
        "load": loaded,
        "build": built,
        "read": answers,
        **served,
        # the machine's run queue over the last 1, 5 and 15 minutes as the scale ends: on a
        # shared machine, how much of the figures is other people's work
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }
