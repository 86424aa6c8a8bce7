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
@click.option("--out", default=Path("bench/results.json"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The JSON; the Markdown tables and PNG plot are written beside it.")  # fmt: skip
@click.option("--api", "with_api", is_flag=True,
              help="Also load the reporting API with wrk at each scale (about 2 minutes a "
              "scale): requests/s and latency, cached and uncached, at 1, 10 and 50 "
              "clients. Needs wrk (sudo apt-get install -y wrk).")  # fmt: skip
def bench(scales: str, repeat: int, out: Path, with_api: bool) -> None:
    """Load, build and query at each scale, beside computing the KPIs live from crm.

    Replaces the warehouse's crm and sales_ext data: use the embedded warehouse or a scratch
    database.
    """

    from rich.console import Console

    from emg import warehouse as wh
    from emg.bench import api, report, runner

    report.load_pyplot()  # before the long run, not after it
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
