"""Where one dbt invocation's wall-clock time goes, read from dbt's own run_results.json.

dbt stamps three instants of its run (metadata.invocation_started_at, generated_at, and
elapsed_time before generated_at) and every node's compile and execute intervals; with the
moments the bench started and reaped the process they cut the wall time into:

    process start ─ start-up ─▶ invocation_started_at ─ parse ─▶ generated_at − elapsed_time
      ─ nodes (models, seeds, tests, unit tests, hooks) and the time between them ─▶
    generated_at ─ artefacts and exit ─▶ process end

- start-up: the Python interpreter and dbt's imports, up to dbt's own start;
- parse: the profile, the project (partial parse), manifest.json, the graph and selection;
- a kind's wall: dbt runs nodes on several threads, so each moment is shared equally among
  the nodes running then; the kinds' walls add up to the time any node was running, and
  `sum_s` keeps each kind's node time summed over threads (dbt's execution_time);
- fixed: what is left of the wall (start-up and parse apart) — the on-run-start/end hooks,
  connections, the relation cache and schemas, threads waiting on one another, writing
  run_results.json and exiting: what a build costs whatever the data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

# run_results' unique_id prefix -> the kind reported; any other prefix is reported as is.
KINDS = {
    "model": "models",
    "seed": "seeds",
    "test": "tests",
    "unit_test": "unit_tests",
    "operation": "hooks",
}
WORK = ("models", "seeds", "tests", "unit_tests")  # always reported, zero when none ran
SLOWEST = 5  # the nodes named, slowest first, for where a scale's time goes
NOT_RUN = frozenset({"skipped", "no-op"})  # statuses of nodes dbt did not run


def _instant(text: str) -> float:
    """Epoch seconds of one of dbt's timestamps (ISO-8601 UTC, with or without `Z`)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def kind_of(unique_id: str) -> str:
    prefix = unique_id.split(".", 1)[0]
    return KINDS.get(prefix, f"{prefix}s")


def shared_wall(intervals: list[tuple[float, float, str]]) -> dict[str, float]:
    """Seconds per kind of (start, end, kind) intervals, each moment shared equally among
    the intervals open then: the result adds up to the length of their union.

    One sweep over the sorted ends: O(n log n) in the nodes.
    """
    events = sorted(
        [(start, 1, kind) for start, end, kind in intervals if end > start]
        + [(end, -1, kind) for start, end, kind in intervals if end > start]
    )
    open_by_kind: Counter[str] = Counter()
    seconds: dict[str, float] = defaultdict(float)
    previous = None
    for moment, step, kind in events:
        total = sum(open_by_kind.values())
        if total and previous is not None and moment > previous:
            for open_kind, count in open_by_kind.items():
                if count:
                    seconds[open_kind] += (moment - previous) * count / total
        open_by_kind[kind] += step
        previous = moment
    return dict(seconds)


def breakdown(results: dict, started: float, ended: float, wall: float) -> dict:
    """The breakdown of a run whose process ran from `started` to `ended` (epoch seconds,
    time.time()) and took `wall` seconds (a monotonic clock's), from its run_results.json.

    Raises ValueError when the results are older than the process (another run's).
    """
    metadata = results["metadata"]
    invoked = _instant(metadata["invocation_started_at"])
    generated = _instant(metadata["generated_at"])
    if not started - 1 <= invoked <= generated <= ended + 1:
        raise ValueError(
            f"run_results.json of an invocation at {metadata['invocation_started_at']} "
            "is not this run's"
        )
    nodes_from = generated - float(results["elapsed_time"])

    counts: Counter[str] = Counter()
    node_seconds: dict[str, float] = defaultdict(float)
    intervals, threads, ran = [], set(), []
    for result in results["results"]:
        if result["status"] in NOT_RUN:
            continue
        kind, seconds = kind_of(result["unique_id"]), float(result.get("execution_time") or 0)
        counts[kind] += 1
        node_seconds[kind] += seconds
        threads.add(result.get("thread_id"))
        ran.append((seconds, result["unique_id"]))
        timing = result.get("timing") or []
        if timing:
            intervals.append(
                (
                    min(_instant(step["started_at"]) for step in timing),
                    max(_instant(step["completed_at"]) for step in timing),
                    kind,
                )
            )
    walls = shared_wall(intervals)

    kinds = [*WORK, *sorted(set(counts) - {*WORK, "hooks"})]
    nodes = {
        kind: {
            "count": counts[kind],
            "wall_s": round(walls.get(kind, 0.0), 3),
            "sum_s": round(node_seconds[kind], 3),
        }
        for kind in kinds
    }
    startup = invoked - started
    parse = nodes_from - invoked
    work = sum(walls.get(kind, 0.0) for kind in kinds)
    return {
        "wall_s": round(wall, 3),
        "startup_s": round(startup, 3),
        "parse_s": round(parse, 3),
        "nodes": nodes,
        "fixed_s": round(wall - startup - parse - work, 3),
        # the fixed cost's parts, as dbt's timestamps place them
        "fixed_parts": {
            "hooks_s": round(walls.get("hooks", 0.0), 3),
            "between_nodes_s": round(generated - nodes_from - sum(walls.values()), 3),
            "artefacts_and_exit_s": round(ended - generated, 3),
        },
        "dbt_elapsed_s": round(float(results["elapsed_time"]), 3),
        "threads": len(threads - {"main", None}),  # dbt's worker threads that ran nodes
        "slowest": [
            {"node": unique_id, "s": round(seconds, 3)}
            for seconds, unique_id in sorted(ran, reverse=True)[:SLOWEST]
        ],
    }
