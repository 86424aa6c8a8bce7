"""The benchmark's outputs: the JSON as measured, a Markdown table, a log-log plot."""

from __future__ import annotations

import json
from pathlib import Path

from emg.errors import EmgError

# The dbt invocations shown in "where the time goes" (runner.build's breakdown), in order.
BUILDS = (
    ("full_build", "full build"),
    ("incremental_build", "hourly build"),
    ("full_refresh_after_change", "full refresh after the hour"),
)
KINDS = (("models", "models"), ("seeds", "seeds"), ("tests", "tests"),
         ("unit_tests", "unit tests"))  # fmt: skip


def _breakdown_table(
    threads: str, rows: list[tuple[list[str], dict]], heads: list[str]
) -> list[str]:
    """A table of dbt invocations' wall time cut into start-up, parse, node kinds and fixed
    (breakdown.py): one row per (leading cells, breakdown), under the leading `heads`."""
    kinds = " | ".join(title for _, title in KINDS)
    lines = [
        "",
        "Where each dbt build's time goes, in seconds, from dbt's `run_results.json`. dbt runs "
        f"{threads} threads: a kind's figure is its share of the wall clock (each moment split "
        "among the nodes running then), its nodes' time summed over threads in brackets. "
        "Start-up: Python and dbt's imports; parse: profile, project (partial parse), manifest "
        "and selection; fixed: the rest (run hooks, connections, waits between nodes, writing "
        "the artefacts, exit).",
        "",
        f"| {' | '.join(heads)} | wall | start-up | parse | {kinds} | fixed "
        "| nodes run: models / seeds / tests / unit tests |",
        # the scale right-aligned, the other leading cells left
        "|---:|"
        + "---|" * (len(heads) - 1)
        + "---:|---:|---:|"
        + "---:|" * len(KINDS)
        + "---:|---:|",
    ]
    for cells, b in rows:
        node = b["nodes"]
        seconds = [f"{node[k]['wall_s']:.1f} ({node[k]['sum_s']:.1f})" for k, _ in KINDS]
        counts = [f"{node[k]['count']:,}" for k, _ in KINDS]
        lines.append(
            f"| {' | '.join(cells)} | {b['wall_s']:.1f} | {b['startup_s']:.1f} "
            f"| {b['parse_s']:.1f} | {' | '.join(seconds)} | {b['fixed_s']:.1f} "
            f"| {' / '.join(counts)} |"
        )
    return lines


def _where_the_time_goes(results: dict) -> list[str]:
    """The second table: each build's wall time cut into start-up, parse, node kinds, fixed."""
    threads = max(
        b["threads"] for run in results["scales"] for b in run["build"]["breakdown"].values()
    )
    rows = [
        ([str(run["scale"]), title], run["build"]["breakdown"][key])
        for run in results["scales"]
        for key, title in BUILDS
    ]
    lines = _breakdown_table(str(threads), rows, ["scale", "build"])
    lines += ["", "The hourly build's slowest nodes (dbt's execution time of each, seconds):", ""]
    for run in results["scales"]:
        slowest = run["build"]["breakdown"]["incremental_build"]["slowest"]
        named = ", ".join(f"`{n['node'].split('.')[-1]}` {n['s']:.1f}" for n in slowest)
        lines.append(f"- scale {run['scale']}: {named}")
    return lines


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, PostgreSQL {m['postgres']}, "
        f"Python {m['python']}; repeat {results['repeat']}; as of {results['as_of']}. "
        "Load average (5 minutes, the bench's own work included) as each scale ended: "
        + ", ".join(f"{run['load_average'][1]:.1f}" for run in results["scales"])
        + f" (on {m['cores']} cores).",
        "",
        "| scale | rows | load rows/s | COPY ceiling rows/s | load / ceiling | full build s "
        "| incremental build s | full / incremental | marts equal |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for run in results["scales"]:
        load, build = run["load"], run["build"]
        lines.append(
            f"| {run['scale']} | {load['rows']:,} | {load['load_rows_per_s']:,} "
            f"| {load['copy_ceiling_rows_per_s']:,} | {load['load_vs_ceiling']:.2f} "
            f"| {build['full_refresh_after_change_s']:.1f} | {build['incremental_build_s']:.1f} "
            f"| {build['full_vs_incremental']:.2f}× | {'yes' if build['marts_equal'] else 'NO'} |"
        )
    lines += _where_the_time_goes(results)
    lines += [
        "",
        "Dashboard questions, p95 in ms (warm; cold in brackets), marts vs live from `crm`:",
        "",
        "| question | scale | rows | marts p95 | live p95 | live / marts | same answer |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for index, question in enumerate(results["scales"][0]["read"]):
        for run in results["scales"]:
            q = run["read"][index]
            lines.append(
                f"| {question['title']} | {run['scale']} | {q['rows']} "
                f"| {q['mart_warm_p95_ms']:.2f} ({q['mart_cold_p95_ms']:.2f}) "
                f"| {q['live_warm_p95_ms']:.2f} ({q['live_cold_p95_ms']:.2f}) "
                f"| {q['live_vs_mart_warm_p95']:,.0f}× ({q['live_vs_mart_cold_p95']:,.0f}×) "
                f"| {'yes' if q['same_answer'] else 'NO'} |"
            )
    lines += _api(results)
    return "\n".join(lines) + "\n"


def _api(results: dict) -> list[str]:
    """The reporting API under load (`--api`, api.py), and its two targets, where measured."""
    runs = [run for run in results["scales"] if "api" in run]
    if not runs:
        return []
    first = runs[0]["api"]
    clients = first["clients"]
    per_clients = " | ".join(f"{n} client{'s' if n > 1 else ''}" for n in clients)
    lines = [
        "",
        f"Reporting API under load (wrk on loopback, {first['seconds_per_run']} s a run, one "
        "wrk thread): requests/s, then p50 / p95 ms, at each number of concurrent clients. "
        "*Cached*: one request repeated, answered from the API's cache. *Uncached*: each "
        "request's `from` a day earlier, before the data begins: a new cache entry every "
        "time, the same SQL, rows and answer. *Live*: the endpoint's answer computed straight "
        "from `crm`, its queries one after the other, one run at a time (p50 / p95 ms of "
        "their sum): call-volume's daily and heatmap tables whole (checked equal to the "
        "API's) and this week of its weekly table; for the others the bench's questions that "
        "compute part of the answer (this month, the team), so their live time is a floor.",
        "",
        f"| endpoint | scale | answer bytes | side | {per_clients} |",
        "|---|---:|---:|---|" + "---:|" * len(clients),
    ]
    for index in range(len(first["endpoints"])):
        for run in runs:
            e = run["api"]["endpoints"][index]
            for side in ("cached", "uncached"):
                cells = " | ".join(
                    f"{c['per_second']:,.0f}/s, {c['p50_ms']:.1f} / {c['p95_ms']:.1f}"
                    for c in e[side]
                )
                lines.append(
                    f"| {e['endpoint']} | {run['scale']} | {e['bytes']:,} | {side} | {cells} |"
                )
            live = e["live"]
            empty = " |" * (len(clients) - 1)
            lines.append(
                f"| {e['endpoint']} | {run['scale']} | | live ({', '.join(live['queries'])}; "
                f"{live['runs']} runs) | {live['p50_ms']:.1f} / {live['p95_ms']:.1f} |{empty}"
            )
    lines += [
        "",
        "The targets: cached requests/s at least 10× uncached (at each number of clients), "
        "and an uncached request's p95 at least 50× below the live computation's at scale 100 "
        "(one client: one request at a time, as the live side runs):",
        "",
        f"| endpoint | scale | cached / uncached requests/s ({', '.join(map(str, clients))} "
        "clients) | ≥ 10× | live p95 / uncached p95 (1 client) | ≥ 50× |",
        "|---|---:|---:|:---:|---:|:---:|",
    ]
    for index in range(len(first["endpoints"])):
        for run in runs:
            e = run["api"]["endpoints"][index]
            ratios = e["cached_vs_uncached_per_second"]
            live_met = "yes" if e["live_vs_uncached_p95"] >= 50 else "no"
            lines.append(
                f"| {e['endpoint']} | {run['scale']} | {' / '.join(f'{r:.1f}×' for r in ratios)} "
                f"| {'yes' if min(ratios) >= 10 else 'no'} | {e['live_vs_uncached_p95']:,.1f}× "
                f"| {live_met if run['scale'] == 100 else '(at 100)'} |"
            )
    return lines


def load_pyplot():
    """matplotlib's pyplot, drawing to files; a one-line EmgError where the extra is missing."""
    try:
        import matplotlib
    except ImportError:
        raise EmgError(
            "emg bench draws its chart with matplotlib, a developer tool the product does not "
            "install: pip install -e '.[tools]' (make install does), then run it again"
        ) from None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def plot(results: dict, path: Path) -> None:
    pyplot = load_pyplot()
    runs = results["scales"]
    rows = [run["load"]["rows"] for run in runs]
    figure, (builds, parts, reads) = pyplot.subplots(
        1, 3, figsize=(19, 5), gridspec_kw={"width_ratios": [1, 1, 1.2]}
    )
    builds.plot(rows, [r["build"]["full_refresh_after_change_s"] for r in runs], "o-",
                label="full build (--full-refresh)")  # fmt: skip
    builds.plot(rows, [r["build"]["incremental_build_s"] for r in runs], "s-",
                label="incremental build after 1 h of changes")  # fmt: skip
    builds.set(title="dbt build time", xlabel="raw rows", ylabel="seconds")
    _plot_where_the_time_goes(parts, runs)
    for index, question in enumerate(runs[0]["read"]):
        line = reads.plot(rows, [r["read"][index]["live_warm_p95_ms"] for r in runs], "o--",
                          label=f"live: {question['question']}")  # fmt: skip
        reads.plot(rows, [r["read"][index]["mart_warm_p95_ms"] for r in runs], "s-",
                   color=line[0].get_color())  # fmt: skip
    reads.set(title="query p95 (solid: marts, dashed: live from crm)", xlabel="raw rows",
              ylabel="milliseconds")  # fmt: skip
    for axes in (builds, reads):
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.grid(True, which="both", alpha=0.3)
    builds.legend(fontsize=8)
    reads.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def _plot_where_the_time_goes(axes, runs: list[dict]) -> None:
    """One stacked bar per scale and build (hourly; full refresh after the hour)."""
    shown = [(key, title) for key, title in BUILDS if key != "full_build"]
    labels, stacks = [], []
    for run in runs:
        for key, title in shown:
            b = run["build"]["breakdown"][key]
            labels.append(f"scale {run['scale']}\n{title.split()[0]}")
            stacks.append(
                [b["startup_s"], b["parse_s"]]
                + [b["nodes"][kind]["wall_s"] for kind, _ in KINDS]
                + [b["fixed_s"]]
            )
    names = ["start-up", "parse", *(title for _, title in KINDS), "fixed"]
    bottoms = [0.0] * len(stacks)
    for index, name in enumerate(names):
        heights = [stack[index] for stack in stacks]
        axes.bar(labels, heights, bottom=bottoms, label=name)
        bottoms = [bottom + height for bottom, height in zip(bottoms, heights, strict=True)]
    axes.set(title="where the time goes (hourly; full refresh after the hour)",
             ylabel="seconds")  # fmt: skip
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(True, axis="y", alpha=0.3)
    axes.legend(fontsize=7)


# `emg bench --engine spark` (engines.py): each engine's builds, in the order they run.
ENGINES = (("postgres", "PostgreSQL"), ("spark", "Spark"))
ENGINE_BUILDS = (("models", "models and seeds"), ("build", "build with tests"))


def markdown_engines(results: dict) -> str:
    """`--engine spark`'s tables: both engines' build times per scale and their ratio, then
    where each build's time goes."""
    m = results["machine"]
    heads = " | ".join(f"{engine} {build} s" for _, build in ENGINE_BUILDS for _, engine in ENGINES)
    lines = [
        f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, PostgreSQL {m['postgres']}, "
        f"Spark {m['spark']} (local session, {m['spark_master']}), Python {m['python']}; as of "
        f"{results['as_of']}. Both engines build the whole project from the same data, "
        "from scratch. Load average (5 minutes) as each scale "
        "ended: "
        + ", ".join(f"{run['load_average'][1]:.1f}" for run in results["scales"])
        + f" (on {m['cores']} cores).",
        "",
        f"| scale | rows | load s (PostgreSQL / Spark) | {heads} "
        + "".join(f"| Spark / PostgreSQL, {build} " for _, build in ENGINE_BUILDS)
        + "|",
        "|---:|---:|---:|" + "---:|" * (len(ENGINES) * len(ENGINE_BUILDS) + len(ENGINE_BUILDS)),
    ]
    for run in results["scales"]:
        times = " | ".join(
            f"{run['build'][engine][f'{build}_s']:.1f}"
            for build, _ in ENGINE_BUILDS
            for engine, _ in ENGINES
        )
        ratios = " | ".join(f"{run['spark_vs_postgres'][build]:.2f}×" for build, _ in ENGINE_BUILDS)
        lines.append(
            f"| {run['scale']} | {run['rows']:,} "
            f"| {run['load']['postgres_s']:.1f} / {run['load']['spark_s']:.1f} | {times} "
            f"| {ratios} |"
        )
    threads = " or ".join(
        sorted(
            {
                str(b["threads"])
                for run in results["scales"]
                for engine, _ in ENGINES
                for b in run["build"][engine]["breakdown"].values()
            }
        )
    )
    rows = [
        ([str(run["scale"]), title, build_title], run["build"][engine]["breakdown"][build])
        for run in results["scales"]
        for build, build_title in ENGINE_BUILDS
        for engine, title in ENGINES
    ]
    lines += _breakdown_table(threads, rows, ["scale", "engine", "build"])
    return "\n".join(lines) + "\n"


def plot_engines(results: dict, path: Path) -> None:
    """Each engine's build time versus raw rows, log-log."""
    pyplot = load_pyplot()
    runs = results["scales"]
    rows = [run["rows"] for run in runs]
    figure, axes = pyplot.subplots(figsize=(8, 5))
    for engine, title in ENGINES:
        for (build, build_title), style in zip(ENGINE_BUILDS, ("o-", "s--"), strict=True):
            axes.plot(rows, [run["build"][engine][f"{build}_s"] for run in runs], style,
                      label=f"{title}: {build_title}")  # fmt: skip
    axes.set(title="dbt build time, Spark beside PostgreSQL", xlabel="raw rows",
             ylabel="seconds")  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def write(results: dict, out: Path) -> list[Path]:
    """The JSON, its Markdown tables and plot beside it (`--engine spark`'s own when it is)."""
    on_engines = results.get("engine") == "spark"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    table = out.with_suffix(".md")
    table.write_text(markdown_engines(results) if on_engines else markdown(results))
    picture = out.with_suffix(".png")
    (plot_engines if on_engines else plot)(results, picture)
    return [out, table, picture]
