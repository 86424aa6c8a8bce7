"""The generated sales as a finance export CSV, the file `emg sales load` reads."""

from __future__ import annotations

import csv
from pathlib import Path

from emg.simulator.clock import LONDON

HEADER = ("sale_id", "pipeline_item_id", "sold_at", "amount", "currency")


def write_sales_csv(path: Path, sales: list[tuple]) -> int:
    """Write `sales` rows (sales_ext.sales order); sold_at is London time with its offset."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for sale_id, item_id, sold_at, amount, currency, _loaded_at in sales:
            when = sold_at.astimezone(LONDON).isoformat(timespec="milliseconds")
            writer.writerow((sale_id, item_id, when, amount, currency))
    return len(sales)
