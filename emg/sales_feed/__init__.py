"""`emg sales load`: upsert a finance export CSV into sales_ext.sales, or refuse it whole.

The file is streamed: read line by line, each row checked in Python and sent on at once by
COPY into a temporary table (with its line number), so memory does not grow with the file.
Only when every row is good are the rows merged into sales_ext.sales, by sale_id, in one
statement of the same transaction; the first problem refuses the whole file with one line
naming the file, the line and the problem, and nothing already loaded changes.

What a row must be: a non-empty sale_id, seen once in the file; sale_id, pipeline_item_id
and currency at most MAX_TEXT characters, without control characters (PostgreSQL text cannot
hold NUL; a line break in an id is a quote left open); sold_at an ISO-8601 timestamp (naive
is UTC) inside the plausible window of the dbt vars `earliest_plausible_date` and
`plausible_days_ahead` (days after the load); amount written with ASCII digits, an optional
minus sign and at most two decimals (numeric(12, 2)); no line longer than MAX_LINE characters.
A file with a header and no rows is refused too. Negative amounts and unknown pipeline items
or currencies are loaded: the warehouse flags them (contract §8).

A row whose values did not change is left alone (its loaded_at too), so loading the same
file twice changes nothing. When a re-loaded sale_id changes any value, the version it
replaces (with its loaded_at) is first copied to sales_ext.sales_history with replaced_at,
the load's time, in the same statement: no earlier figure is lost.

The package's parts: csv_file.py (each line checked) and load.py (COPY, merge, history).
"""

from emg.sales_feed.csv_file import parse_sales, read_sales
from emg.sales_feed.load import load_csv

__all__ = ["load_csv", "parse_sales", "read_sales"]
