"""Long-running programs (the Dagster UI, Superset's gunicorn) run in the background.

Each runs in a session of its own, so stopping it stops everything it started. A program
started from a script or `make` can inherit an ignored SIGINT (a shell ignores it for
background jobs, and exec keeps an ignored signal ignored); `dagster dev` then ignores the
SIGTERM it turns into SIGINT and never stops. The default SIGINT handler is restored in the
child before exec.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

from emg.errors import EmgError


@dataclass(frozen=True)
class Service:
    name: str  # also a word of its command line: a pid file left by a reboot is not ours
    folder: Path  # holds <name>.pid and <name>.log
    url: str  # answers 200 when the service is ready

    @property
    def pid_file(self) -> Path:
        return self.folder / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.folder / f"{self.name}.log"

    def pid(self) -> int | None:
        """The running service's pid, or None (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE and self.name in " ".join(
                process.cmdline()
            ):
                return pid
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
        self.pid_file.unlink(missing_ok=True)
        return None

    def answers(self) -> bool:
        try:
            return requests.get(self.url, timeout=2).status_code == 200
        except requests.RequestException:
            return False


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _restore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(
    service: Service, argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 180
) -> bool:
    """Start `argv` in the background unless it runs; wait until it answers. True if started."""
    if service.pid() is not None:
        return False
    service.folder.mkdir(parents=True, exist_ok=True)
    with service.log_file.open("ab") as log:
        process = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_restore_sigint,  # noqa: PLW1509 (no threads in the CLI)
        )
    service.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            service.pid_file.unlink(missing_ok=True)
            raise EmgError(
                f"{service.name} exited with code {process.returncode} while starting; "
                f"its log is {service.log_file}"
            )
        if service.answers():
            return True
        time.sleep(0.5)
    stop(service)
    raise EmgError(
        f"{service.name} did not answer at {service.url} within {timeout:.0f} s; "
        f"its log is {service.log_file}"
    )


def stop(service: Service, grace: float = 30) -> bool:
    """SIGTERM the service's whole session, SIGKILL what is left after `grace` s. True if it ran."""
    pid = service.pid()
    if pid is None:
        return False
    group = [p for p in psutil.process_iter(["pid"]) if _session_of(p.pid) == pid]
    for process in group:
        _signal(process, signal.SIGTERM)
    _, alive = psutil.wait_procs(group, timeout=grace)
    for process in alive:
        _signal(process, signal.SIGKILL)
    psutil.wait_procs(alive, timeout=5)
    service.pid_file.unlink(missing_ok=True)
    return True


def _session_of(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:
        return None


def _signal(process: psutil.Process, signum: int) -> None:
    with contextlib.suppress(psutil.NoSuchProcess):
        process.send_signal(signum)
