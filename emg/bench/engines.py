"""`emg bench --engine spark`: the benchmark's build on the local Spark session beside PostgreSQL.

At each scale the same simulated CRM (the benchmark's seed, size and as_of: runner.SIMULATION)
goes into both engines: PostgreSQL's as the benchmark loads it (runner.load's COPY path, then
the CRM's indexes), Spark's by `emg crm generate --target spark` (emg/spark/load.py) in a
process of its own, since one process at a time opens the Spark warehouse's metastore. Then the
whole project is built on each engine, as of the same instant: its models and seeds alone,
then everything with its tests, both from scratch
(runner.MODELS_ONLY, runner.FULL_BUILD). Each wall time is cut as the benchmark's builds are
(breakdown.py), and Spark's is set over PostgreSQL's.

Like the benchmark, it replaces both engines' raw tables and rebuilds every schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from emg import warehouse as wh
from emg.bench import runner
from emg.errors import EmgError
from emg.simulator.dataset import SimConfig
from emg.simulator.generate import generate
from emg.simulator.load import replace_tables

SPARK_TARGET = "spark"
# The two builds timed on each engine, in the order they run.
BUILDS = (("models", runner.MODELS_ONLY), ("build", runner.FULL_BUILD))


def _emg() -> list[str]:
    """The `emg` command of this interpreter's environment."""
    beside = Path(sys.executable).parent / "emg"
    return [str(beside)] if beside.exists() else ["emg"]


def load_postgres(scale: int) -> dict:
    """The scale's CRM into PostgreSQL, indexed as the CRM's database is: rows and seconds."""
    started = time.perf_counter()
    dataset = generate(SimConfig(as_of=runner.AS_OF, scale=scale, **runner.SIMULATION))
    conn = wh.connect()
    try:
        stats = replace_tables(conn, dataset.tables, with_sales=True)
        runner.index_like_the_crm(conn)
    finally:
        conn.close()
    return {"rows": stats.rows, "s": round(time.perf_counter() - started, 2)}


def load_spark(scale: int) -> dict:
    """The same CRM into Spark's tables with `emg crm generate --target spark`: seconds, the
    command's start-up and Spark's included."""
    options = {**runner.SIMULATION, "scale": scale}
    command = [*_emg(), "crm", "generate", "--target", SPARK_TARGET,
               "--as-of", runner.AS_OF.isoformat()]  # fmt: skip
    for name, value in options.items():
        command += [f"--{name.replace('_', '-')}", str(value)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        said = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise EmgError(f"loading scale {scale} into Spark failed ({said}); run {' '.join(command)}")
    return {"s": round(seconds, 2)}


def build(target: str | None) -> dict:
    """The project's builds on one engine: each one's seconds and breakdown."""
    built = {}
    for name, args in BUILDS:
        built[name] = runner.timed_dbt(list(args), runner.AS_OF, target)
    return {
        **{f"{name}_s": round(b["wall_s"], 2) for name, b in built.items()},
        "breakdown": built,
    }


def run_scale(scale: int, progress: runner.Progress) -> dict:
    """One scale: the same data into both engines, the same builds on each, their ratio."""
    progress(f"scale {scale}: generate and load into PostgreSQL")
    postgres_load = load_postgres(scale)
    progress(f"scale {scale}: generate and load into Spark")
    spark_load = load_spark(scale)
    progress(f"scale {scale}: dbt builds on PostgreSQL")
    postgres = build(None)
    progress(f"scale {scale}: dbt builds on Spark")
    spark = build(SPARK_TARGET)
    return {
        "scale": scale,
        "rows": postgres_load["rows"],
        "load": {"postgres_s": postgres_load["s"], "spark_s": spark_load["s"]},
        "build": {"postgres": postgres, "spark": spark},
        # Spark's wall time over PostgreSQL's, per build
        "spark_vs_postgres": {
            name: round(spark[f"{name}_s"] / postgres[f"{name}_s"], 2) for name, _ in BUILDS
        },
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def machine() -> dict:
    """The benchmark's machine, and the Spark it runs."""
    from importlib.metadata import version

    from emg.spark.session import session_conf

    conn = wh.connect()
    try:
        described = runner.machine(conn)
    finally:
        conn.close()
    return {
        **described,
        "spark": version("pyspark"),
        "spark_master": session_conf(SPARK_TARGET).get("spark.master", "?"),
    }
