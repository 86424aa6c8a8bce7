"""wrk, the HTTP load generator (Debian's `wrk` package), driven for the API benchmark: one run
is one endpoint at one number of concurrent clients for a few seconds, cached or uncached.

The Lua script (wrk.lua beside this module) sends the bearer token from the environment
(never on wrk's command line, which `ps` shows) and writes one line at the end,
`emg-bench-wrk {json}`: the requests, the run's duration, latency percentiles in
microseconds and the errors. `parse` reads that line from wrk's output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from emg import settings
from emg.errors import EmgError

SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
MARKER = "emg-bench-wrk "
INSTALL = (
    "emg bench --api loads the API with wrk: install it with `sudo apt-get install -y wrk` "
    "(Debian's package), then run it again"
)
TOKEN_VARIABLE = "EMG_BENCH_WRK_TOKEN"
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def executable() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise EmgError(INSTALL)
    return found


def parse(output: str) -> Run:
    """The numbers of one wrk run, from its standard output (the script's closing line)."""
    lines = [line for line in output.splitlines() if line.startswith(MARKER)]
    if len(lines) != 1:
        raise ValueError(f"wrk's output has {len(lines)} lines starting {MARKER!r}, not 1")
    numbers = json.loads(lines[0].removeprefix(MARKER))
    if numbers["requests"] < 1 or numbers["duration_us"] <= 0:
        raise ValueError(f"wrk completed no request: {numbers}")
    return Run(
        requests=numbers["requests"],
        seconds=numbers["duration_us"] / 1e6,
        p50_ms=numbers["p50_us"] / 1000,
        p95_ms=numbers["p95_us"] / 1000,
        p99_ms=numbers["p99_us"] / 1000,
        max_ms=numbers["max_us"] / 1000,
        errors={
            kind: numbers[f"{kind}_errors"]
            for kind in ("connect", "read", "write", "status", "timeout")
        },
    )


def run(
    url: str,
    token: str,
    clients: int,
    seconds: float,
    date_to: date,
    date_from: date,
    first_miss: int | None = None,
) -> tuple[Run, str]:
    """Load `url?from=date_from&to=date_to` with `clients` connections for `seconds`.

    Cached: `first_miss` None, the same request every time. Uncached: each request's `from`
    a day earlier than the one before, starting `first_miss` days before `date_from`, so no
    two requests (nor two runs given distinct starts) share a cache entry. Returns the
    numbers and wrk's output as it printed it.
    """
    mode = "cached" if first_miss is None else "uncached"
    command = [
        executable(), "--threads", "1", "--connections", str(clients),
        "--duration", f"{seconds:g}s", "--timeout", "60s", "--script", str(SCRIPT), url,
        "--", mode, str((date_from - EPOCH).days), date_to.isoformat(), str(first_miss or 0),
    ]  # fmt: skip
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**settings.environment(), TOKEN_VARIABLE: token},
        timeout=seconds + 120,
        check=False,
    )
    if result.returncode != 0:
        raise EmgError(f"wrk failed on {url}: {result.stderr.strip() or result.stdout.strip()}")
    return parse(result.stdout), result.stdout
