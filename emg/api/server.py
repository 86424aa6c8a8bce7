"""`emg api start|stop|status|token`: the reporting API served by uvicorn in the background
(the same service helper as Dagster and Superset), on 127.0.0.1:EMG_API_PORT (default 8000),
ready when /api/reporting/health answers."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from emg import services, settings
from emg.api import instance
from emg.errors import EmgError
from emg.paths import project_dir
from emg.warehouse.logins import ensure_login_role

Say = Callable[[str], None]


def service() -> services.Service:
    return services.Service(
        "uvicorn", instance.home(), f"{instance.base_url()}/api/reporting/health"
    )


def _bin(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def start(say: Say) -> None:
    say(ensure_login_role(instance.READER_ROLE, instance.reader_password(), instance.GROUP_ROLES))
    running = service().pid()
    if running:
        say(f"reporting API already running on {instance.base_url()} (pid {running})")
    else:
        if not services.port_is_free(instance.HOST, instance.port()):
            raise EmgError(
                f"port {instance.port()} on {instance.HOST} is in use by another program; "
                "set EMG_API_PORT to a free port"
            )
        env = settings.environment()
        env["PYTHONPATH"] = os.pathsep.join(
            part for part in (str(project_dir()), env.get("PYTHONPATH", "")) if part
        )
        command = [
            _bin("uvicorn"), "emg.api.app:create_app", "--factory",
            "--host", instance.HOST, "--port", str(instance.port()),
            "--no-server-header", "--log-level", "warning",
        ]  # fmt: skip
        services.start(service(), command, env, cwd=project_dir(), timeout=60)
        say(f"reporting API started on {instance.base_url()} (pid {service().pid()})")
    instance.token()  # generated now if it is not set, so `emg api token` has it
    say(
        f"API: {instance.base_url()}/api/reporting/docs "
        f"(bearer token: `emg api token`, kept in {instance.token_source()})"
    )


def stop(say: Say) -> None:
    pid = service().pid()
    if not services.stop(service()):
        say("reporting API is not running")
        return
    say(f"reporting API stopped (pid {pid})")


def status() -> tuple[bool, str]:
    pid = service().pid()
    if pid and service().answers():
        return True, f"reporting API running on {instance.base_url()} (pid {pid})"
    if pid:
        return False, f"reporting API (pid {pid}) runs but {instance.base_url()} does not answer"
    return False, "reporting API stopped"
