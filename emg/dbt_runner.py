"""Run dbt against the warehouse with the project's profile and vars."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from emg import settings as config
from emg.errors import EmgError
from emg.paths import project_dir, state_dir
from emg.project_vars import dbt_vars as dbt_vars_of_project
from emg.spark.session import SPARK_DIR_VARIABLE, spark_dir, spark_lock, target_type
from emg.warehouse import settings

DEFAULT_TIMEZONE = "Europe/London"


def profiles_dir() -> Path:
    """The project root if it holds a profiles.yml of the user's; else a copy of the example."""
    root = project_dir()
    if (root / "profiles.yml").exists():
        return root
    target = state_dir() / "profiles"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "profiles.yml.example", target / "profiles.yml")
    return target


def dbt_env() -> dict[str, str]:
    """This process's environment plus the warehouse's PG* variables and the profile folder."""
    env = config.environment()
    env.update(settings().libpq_env())
    env["DBT_PROFILES_DIR"] = str(profiles_dir())
    # the Spark target's tables and metastore (profiles.yml.example, target spark)
    env[SPARK_DIR_VARIABLE] = str(spark_dir())
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def reporting_timezone() -> str:
    """The IANA zone every local date, week and hour is in: `EMG_TIMEZONE`, else the dbt var
    `reporting_timezone` of dbt_project.yml; a name the zone database lacks is one line."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = config.get("EMG_TIMEZONE") or str(
        dbt_vars_of_project().get("reporting_timezone") or DEFAULT_TIMEZONE
    )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise EmgError(
            f"reporting timezone {name!r} (EMG_TIMEZONE or the dbt var reporting_timezone) is "
            "not an IANA zone; use e.g. Europe/London"
        ) from None
    return name


AS_OF_VARIABLE = "EMG_AS_OF"


def as_of_env(as_of: datetime) -> dict[str, str]:
    """How a build learns its as_of: an environment variable the models read as they run
    (macros/time/as_of.sql), not a --vars, which would make dbt re-parse the whole project."""
    return {AS_OF_VARIABLE: as_of.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")}


def vars_args() -> list[str]:
    """The `--vars` a build passes: only what the user set in the environment (EMG_TIMEZONE);
    everything else is dbt_project.yml's own default. Constant from build to build, so dbt's
    partial parsing holds."""
    if not config.get("EMG_TIMEZONE"):
        return []
    return ["--vars", json.dumps({"reporting_timezone": reporting_timezone()})]


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def run_dbt(
    args: list[str], as_of: datetime | None = None, target: str | None = None, **kwargs
) -> int:
    """`dbt ARGS` in the project folder, as of `as_of` (default: now, dbt's run start), on the
    profile's `target` (default: the profile's own, prod); dbt's own progress goes to the
    terminal."""
    command = [dbt_executable(), *args, *(["--target", target] if target else []), *vars_args()]
    env = dbt_env()
    if as_of is not None:
        env.update(as_of_env(as_of))
    return subprocess.run(command, cwd=project_dir(), env=env, check=False, **kwargs).returncode


# A selection that matches nothing is an error, not dbt's cheerful "Nothing to do".
SELECTION_MUST_MATCH = json.dumps({"error": ["NoNodesForSelectionCriteria"]})


def build(
    as_of: datetime,
    full_refresh: bool = False,
    select: str | None = None,
    wait_seconds: float = 0,
    say=print,
    target: str | None = None,
) -> None:
    """`dbt build` holding the warehouse's build lock; a one-line EmgError when it fails.

    A selected table is rebuilt by dbt with `drop ... cascade`, which also drops the views
    built on it that the selection left out; they are rebuilt at once (restore_views).
    On a Spark target (profiles.yml.example) the lock is the Spark warehouse's own
    (spark_lock), and nothing cascades: Spark's views outlive a replaced table.
    """
    from emg.build_lock import build_lock, cli_builder

    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", *select.split(), "--warn-error-options", SELECTION_MUST_MATCH]
    on_spark = target_type(target) == "spark"
    lock = spark_lock if on_spark else build_lock
    with lock(cli_builder(), wait_seconds, say):
        started = time.time()
        log_size = _size(dbt_log())
        code = run_dbt(args, as_of=as_of, target=target)
        if code != 0:
            if select and "does not match any enabled nodes" in _read_from(dbt_log(), log_size):
                raise EmgError(
                    f"--select {select!r} matches no node of the project; check the names "
                    "(`dbt ls` lists them)"
                )
            raise EmgError(failure_summary("dbt build", code, started))
        if select and not on_spark:
            restored = restore_views(as_of, target)
            if restored:
                say(
                    f"rebuilt {len(restored)} views the selection's tables had dropped: "
                    + ", ".join(restored)
                )


def dbt_log() -> Path:
    return project_dir() / "logs" / "dbt.log"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_from(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def run_results_file() -> Path:
    """dbt's record of its last run: every node's status and timing."""
    return project_dir() / "target" / "run_results.json"


def failure_summary(what: str, code: int, started: float) -> str:
    """One line: which nodes failed and how many were skipped (dbt's run_results.json of
    this run: one older than `started` belongs to an earlier run)."""
    results_file = run_results_file()
    try:
        fresh = results_file.stat().st_mtime >= started
        results = json.loads(results_file.read_text())["results"] if fresh else None
    except (OSError, ValueError, KeyError):
        results = None
    if not results:
        return (
            f"{what} failed before running any node (exit {code}); dbt's reason is above "
            f"and in {dbt_log()}"
        )
    failed = [r["unique_id"] for r in results if r.get("status") in ("error", "fail")]
    skipped = sum(r.get("status") == "skipped" for r in results)
    shown = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
    # dbt reloads a seed into its existing table: a seed whose columns changed in a release
    # fails until it is recreated once
    seeds = [r["unique_id"].split(".")[-1] for r in results
             if r.get("status") == "error" and r["unique_id"].startswith("seed.")
             and "column" in (r.get("message") or "")]  # fmt: skip
    hint = (
        f"; if a seed's columns changed, run `emg build --full-refresh --select {' '.join(seeds)}`"
        " once"
        if seeds
        else ""
    )
    return (
        f"{what} failed (exit {code}): {len(failed)} of {len(results)} nodes failed "
        f"({shown or 'none'}), {skipped} skipped{hint}; details above and in {dbt_log()}"
    )


def manifest_nodes() -> dict | None:
    """The nodes of the manifest the last dbt command wrote (target/manifest.json), or None
    where there is none to read."""
    try:
        return json.loads((project_dir() / "target" / "manifest.json").read_text())["nodes"]
    except (OSError, ValueError, KeyError):
        return None


def public_marts() -> list[str]:
    """The public marts (`access: public`, the models of models/marts), by name, from the
    manifest of the last dbt command: the one list of them."""
    nodes = manifest_nodes()
    if nodes is None:
        raise EmgError("no dbt manifest in target/: run `emg build` or `dbt parse` first")
    return sorted(
        node["name"]
        for node in nodes.values()
        if node.get("resource_type") == "model" and node.get("access") == "public"
    )


def missing_views() -> list[str]:
    """The project's view models that were built once (their schema exists) but whose
    relation is gone (dropped by a cascade from a rebuilt table or a replaced raw table),
    with any model they read that is missing too (a model new since the last build), and
    the views such a missing table reads (a new model may need a column its view parents
    gained in the same release)."""
    from emg import warehouse as wh

    nodes = manifest_nodes()
    if nodes is None:
        return []
    models = {
        key: node
        for key, node in nodes.items()
        if node.get("resource_type") in ("model", "seed")
        and node.get("config", {}).get("materialized") != "ephemeral"
    }
    if not models:
        return []
    conn = wh.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select n.nspname, c.relname from pg_class as c "
                "join pg_namespace as n on n.oid = c.relnamespace "
                "where n.nspname = any(%s) and c.relkind in ('r', 'v', 'm', 'p')",
                (sorted({node["schema"] for node in models.values()}),),
            )
            present = set(cur.fetchall())
            cur.execute("select nspname from pg_namespace")
            schemas = {row[0] for row in cur.fetchall()}
    finally:
        conn.close()

    def missing(key: str) -> bool:
        node = models[key]
        relation = (node["schema"], node.get("alias") or node["name"])
        return node["schema"] in schemas and relation not in present

    wanted, todo = set(), [
        key for key, node in models.items()
        if node["config"].get("materialized") == "view" and missing(key)
    ]  # fmt: skip
    while todo:
        key = todo.pop()
        if key in wanted:
            continue
        wanted.add(key)
        parents = [
            parent
            for parent in models[key].get("depends_on", {}).get("nodes", [])
            if parent in models
        ]
        is_table = models[key]["config"].get("materialized") != "view"
        todo += [
            parent
            for parent in parents
            if missing(parent)
            or (is_table and models[parent]["config"].get("materialized") == "view")
        ]
    return sorted(models[key]["name"] for key in wanted)


def restore_views(as_of: datetime | None = None, target: str | None = None) -> list[str]:
    """Rebuild the view models that have gone missing (views are cheap), and the
    missing models they read. Re-creating a view drops the views on it (dbt replaces a view
    with `drop ... cascade`), so this repeats until nothing is missing (a few rounds)."""
    restored: list[str] = []
    for _ in range(3):
        missing = missing_views()
        if not missing:
            break
        started = time.time()
        code = run_dbt(
            ["build", "--select", *missing, "--resource-type", "model", "--resource-type", "seed"],
            as_of=as_of,
            target=target,
            stdout=subprocess.DEVNULL,
        )
        if code != 0:
            raise EmgError(failure_summary("rebuilding the dropped views", code, started))
        restored += [name for name in missing if name not in restored]
    return restored
