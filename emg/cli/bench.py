"""`emg bench`: build and query time versus scale (a developer tool)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from emg.cli.app import main


def _scales(value: str) -> list[int]:
    try:
        scales = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter("a comma-separated list of whole numbers, e.g. 1,10,100") from None
    if not scales or min(scales) < 1:
        raise click.BadParameter("scales are whole numbers of at least 1, e.g. 1,10,100")
    return scales


@main.command()
@click.option("--scales", default="1,10,100", show_default=True,
              help="Scale factors to run, comma-separated: 1 is 150 leads (about 4,900 raw "
              "rows), 1000 is 150,000 (about 5 M).")  # fmt: skip
@click.option("--repeat", default=5, show_default=True, type=click.IntRange(min=1),
              help="Runs of each query, cold and warm.")  # fmt: skip
@click.option("--out", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="The JSON; the Markdown tables and PNG plot are written beside it. "
              "[default: bench/results.json; with --engine spark, bench/spark.json]")  # fmt: skip
@click.option("--api", "with_api", is_flag=True,
              help="Also load the reporting API with wrk at each scale (about 2 minutes a "
              "scale): requests/s and latency, cached and uncached, at 1, 10 and 50 "
              "clients. Needs wrk (sudo apt-get install -y wrk).")  # fmt: skip
@click.option("--engine", type=click.Choice(["postgres", "spark"]), default="postgres",
              show_default=True,
              help="spark: only the build, on the local Spark session (the profile's spark "
              "target) beside PostgreSQL, the same data and selection on both, and Spark's "
              "time over PostgreSQL's (--repeat and --api do not apply).")  # fmt: skip
def bench(scales: str, repeat: int, out: Path | None, with_api: bool, engine: str) -> None:
    """Load, build and query at each scale, beside computing the KPIs live from crm.

    Replaces the warehouse's crm and sales_ext data (and, with --engine spark, the Spark
    warehouse's): use the embedded warehouse or a scratch database.
    """

    from rich.console import Console

    from emg import warehouse as wh
    from emg.bench import api, report, runner

    report.load_pyplot()  # before the long run, not after it
    if engine == "spark":
        if with_api:
            raise click.UsageError("--api measures the reporting API on PostgreSQL; leave it out")
        _bench_engines(_scales(scales), out or Path("bench/spark.json"))
        return
    out = out or Path("bench/results.json")
    if with_api:
        api.check_ready()
    console = Console(stderr=True)
    conn = wh.connect()
    try:
        machine = runner.machine(conn)
    finally:
        conn.close()
    results = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": runner.AS_OF.isoformat(),
        "repeat": repeat,
        "machine": machine,
        "scales": [],
    }
    with console.status("benchmark") as status:
        for scale in _scales(scales):
            results["scales"].append(runner.run_scale(scale, repeat, status.update, with_api))
            # written after every scale: a long run that fails later keeps what it measured
            written = report.write(results, out)
            console.log(f"scale {scale} done")
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(report.markdown(results))


def _bench_engines(scales: list[int], out: Path) -> None:
    """`--engine spark`: the build on Spark beside PostgreSQL at each scale (bench/engines.py)."""
    from rich.console import Console

    from emg.bench import engines, report, runner

    console = Console(stderr=True)
    results = {
        "engine": "spark",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of": runner.AS_OF.isoformat(),
        "machine": engines.machine(),
        "scales": [],
    }
    with console.status("benchmark, Spark beside PostgreSQL") as status:
        for scale in scales:
            results["scales"].append(engines.run_scale(scale, status.update))
            # written after every scale: a long run that fails later keeps what it measured
            written = report.write(results, out)
            console.log(f"scale {scale} done")
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(report.markdown_engines(results))
