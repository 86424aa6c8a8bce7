"""`emg dagster start|stop|status`: the Dagster UI and daemon (`dagster dev`) in the background.

DAGSTER_HOME is the project-local `.emg/dagster` (runs, schedules' state, logs), with
`orchestration/dagster.yaml` as its instance settings. The UI listens on 127.0.0.1:3000
(`EMG_DAGSTER_PORT` moves it). `dagster dev` runs with the warehouse's PG* variables, so its
runs build the same warehouse as `emg build`.
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
import sys
from pathlib import Path

from emg import services, settings
from emg import warehouse as wh
from emg.errors import EmgError
from emg.paths import project_dir, state_dir

HOST = "127.0.0.1"
DEFAULT_PORT = 3000


def port() -> int:
    return settings.port("EMG_DAGSTER_PORT", DEFAULT_PORT)


def home() -> Path:
    return state_dir() / "dagster"


def address() -> str:
    return f"http://{HOST}:{port()}"


def service() -> services.Service:
    return services.Service("dagster", home(), f"{address()}/server_info")


def start() -> str:
    current = service()
    if current.pid() is not None:
        return f"Dagster already running at {address()} (DAGSTER_HOME {home()})"
    if not services.port_is_free(HOST, port()):
        raise EmgError(
            f"port {port()} on {HOST} is in use by another program; "
            "set EMG_DAGSTER_PORT to a free port"
        )
    home().mkdir(parents=True, exist_ok=True)
    instance = importlib.resources.files("orchestration") / "dagster.yaml"
    shutil.copyfile(str(instance), home() / "dagster.yaml")
    env = {
        **settings.environment(),
        **wh.settings().libpq_env(),
        "DAGSTER_HOME": str(home()),
        "DAGSTER_BASE_URL": settings.get("DAGSTER_BASE_URL") or address(),
    }
    venv_bin = Path(sys.executable).parent  # dagster-dbt runs `dbt` from PATH
    env["PATH"] = os.pathsep.join([str(venv_bin), env.get("PATH", "")])
    dagster = str(venv_bin / "dagster")
    argv = [dagster, "dev", "-m", "orchestration.definitions", "-h", HOST, "-p", str(port())]
    services.start(current, argv, env, cwd=project_dir())
    return f"Dagster UI at {address()} (DAGSTER_HOME {home()}; log {current.log_file})"


def stop() -> str:
    if services.stop(service()):
        return "Dagster stopped"
    return "Dagster was not running"


def status() -> tuple[bool, str]:
    if service().pid() is None:
        return False, "Dagster is not running"
    return True, f"Dagster running at {address()}"
