"""`emg superset start|stop|status|import`: Superset's own commands and gunicorn, run as
subprocesses with the project's configuration; every step idempotent.

start: the warehouse login role, `superset db upgrade`, the admin user, `superset init`,
gunicorn on 127.0.0.1:EMG_SUPERSET_PORT (default 8088), then the dashboards' import and the
readers' roles (superset/roles.yml). `emg superset user` adds their logins (users.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from emg import services, settings
from emg.errors import EmgError
from emg.paths import make_private, project_dir, state_dir
from emg.superset import instance as ss
from emg.superset.api import Superset
from emg.superset.bundle import build_from_project, layer_bundles
from emg.superset.reader import ensure_reader_role, sqlalchemy_uri
from emg.superset.roles import sync_roles

Say = Callable[[str], None]
START_TIMEOUT = 180
WORKERS = 2
THREADS = 4


def superset_env() -> dict[str, str]:
    env = settings.environment()
    env["SUPERSET_CONFIG_PATH"] = str(ss.config_path())
    env["FLASK_APP"] = "superset.app:create_app()"
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(project_dir()), env.get("PYTHONPATH", "")) if part
    )
    env.setdefault("SUPERSET_LOG_LEVEL", "warning")
    return env


def _bin(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


def _superset(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """One `superset ...` command; its output goes to the log, not the terminal."""
    log = ss.home() / "superset-cli.log"
    with log.open("a") as handle:
        handle.write(f"\n$ superset {args[0]} {args[1] if len(args) > 1 else ''}\n")
        handle.flush()
        result = subprocess.run(
            [_bin("superset"), *args],
            env=superset_env(),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=600,
            cwd=project_dir(),
        )
    if check and result.returncode != 0:
        raise EmgError(f"`superset {args[0]}` failed (exit {result.returncode}); see {log}")
    return result


def service() -> services.Service:
    """gunicorn, its pid file and log in the state folder, ready when /health answers."""
    return services.Service("gunicorn", ss.home(), f"{ss.base_url()}/health")


def running_pid() -> int | None:
    """The gunicorn master's pid when it runs from this state folder."""
    return service().pid()


def healthy() -> bool:
    return service().answers()


def _ensure_admin(say: Say) -> None:
    password, generated = ss.admin_password()
    # does nothing (and says so in the log) when the admin exists already
    _superset(
        "fab", "create-admin", "--username", ss.ADMIN_USER, "--firstname", "EMG",
        "--lastname", "Admin", "--email", "admin@emg.invalid", "--password", password,
    )  # fmt: skip
    if settings.get("SUPERSET_ADMIN_PASSWORD"):
        # the variable is the truth: align an admin created earlier with another password
        _superset("fab", "reset-password", "--username", ss.ADMIN_USER, "--password", password)
    if generated:
        say(f"generated the admin password (kept in {ss.admin_password_source()}): {password}")


def _serve() -> None:
    """gunicorn in the background; its output goes to gunicorn.log in the state folder."""
    command = [
        _bin("gunicorn"),
        "--bind", f"{ss.HOST}:{ss.port()}",
        "--workers", str(WORKERS),
        "--worker-class", "gthread",
        "--threads", str(THREADS),
        "--timeout", "120",
        "--limit-request-line", "0",
        "--limit-request-field_size", "0",
        "--access-logfile", str(ss.home() / "access.log"),
        "superset.app:create_app()",
    ]  # fmt: skip
    services.start(service(), command, superset_env(), cwd=project_dir(), timeout=START_TIMEOUT)


def start(say: Say) -> None:
    """Set up and serve Superset with the dashboards (idempotent)."""
    started = time.monotonic()
    # Superset's metadata (users, the warehouse login) is the project owner's alone; files
    # written before emg set its umask are closed too.
    make_private(state_dir())
    say(ensure_reader_role())
    if running_pid():
        say(f"Superset already running on {ss.base_url()} (pid {running_pid()})")
    else:
        if not services.port_is_free(ss.HOST, ss.port()):
            raise EmgError(
                f"port {ss.port()} on {ss.HOST} is in use by another program; "
                "set EMG_SUPERSET_PORT to a free port"
            )
        _superset("db", "upgrade")
        _ensure_admin(say)
        _superset("init")
        _serve()
        say(f"Superset started on {ss.base_url()} (pid {running_pid()})")
    import_dashboards(say)
    say(f"ready in {time.monotonic() - started:.0f}s: {ss.base_url()}/superset/dashboard/overview/")
    say(f"log in as {ss.ADMIN_USER}, password in {ss.admin_password_source()}")


def stop(say: Say) -> None:
    pid = running_pid()
    if not services.stop(service()):
        say("Superset is not running")
        return
    say(f"Superset stopped (pid {pid})")


def status() -> tuple[bool, str]:
    pid = running_pid()
    if pid and healthy():
        return True, f"Superset running on {ss.base_url()} (pid {pid}), state in {ss.home()}"
    if pid:
        return False, f"Superset's gunicorn (pid {pid}) runs but {ss.base_url()} does not answer"
    return False, f"Superset stopped (state in {ss.home()})"


def client() -> Superset:
    if not healthy():
        raise EmgError(f"Superset does not answer on {ss.base_url()}; run `emg superset start`")
    return Superset(ss.base_url(), ss.ADMIN_USER, ss.admin_password()[0])


def import_dashboards(say: Say) -> None:
    """Import the bundle built from superset/ and the dbt docs (overwrite in place: the
    dashboards, then the charts again, which the dashboard import does not overwrite), then fix
    the native filters' chartsInScope from their excluded lists."""
    started = time.monotonic()
    ensure_reader_role()
    files = build_from_project(project_dir(), sqlalchemy_uri(masked=True))
    api = client()
    import_files(api, files)
    fixed = sync_filter_scopes(api, [doc["slug"] for doc in _dashboards(files)])
    roles = sync_roles(api, project_dir())
    clear_results_cache()
    counts = {
        kind: sum(path.startswith(kind) for path in files)
        for kind in ("dashboards", "charts", "datasets")
    }
    say(
        f"imported {counts['dashboards']} dashboards, {counts['charts']} charts and "
        f"{counts['datasets']} datasets as {sqlalchemy_uri(masked=True)} "
        f"in {time.monotonic() - started:.1f}s"
        + (f"; filter scopes rewritten on {', '.join(fixed)}" if fixed else "")
    )
    say(roles)


def import_files(api: Superset, files: dict[str, dict]) -> None:
    """Import the bundle layer by layer (database, datasets, charts, dashboards), each
    overwriting what the instance holds, with the warehouse login's password."""
    passwords = {database_file_in_zip(files): ss.reader_password()}
    for resource, bundle in layer_bundles(files):
        api.import_bundle(resource, bundle, passwords)


def clear_results_cache() -> None:
    """Forget cached chart results (5-minute TTL): an import usually follows a new build."""
    for entry in (ss.cache_dir() / "data").glob("*"):
        if entry.is_file():
            entry.unlink(missing_ok=True)


def _dashboards(files: dict[str, dict]) -> list[dict]:
    return [doc for path, doc in sorted(files.items()) if path.startswith("dashboards/")]


def database_file_in_zip(files: dict[str, dict]) -> str:
    return next(path for path in files if path.startswith("databases/"))


def sync_filter_scopes(api: Superset, slugs: list[str]) -> list[str]:
    """Rewrite each native filter's chartsInScope as the dashboard's charts minus
    scope.excluded (the importer remaps excluded to the new chart ids, not chartsInScope).
    Returns the slugs it had to change; nothing is written when all are right already."""
    import json

    from emg.superset.scopes import charts_in_scope

    changed = []
    for slug in slugs:
        board = api.dashboard(slug)
        metadata = json.loads(board["json_metadata"] or "{}")
        position = json.loads(board["position_json"] or "{}")
        fixed = charts_in_scope(metadata, position)
        if fixed != metadata:
            api.put(f"/api/v1/dashboard/{board['id']}", {"json_metadata": json.dumps(fixed)})
            changed.append(slug)
    return changed
