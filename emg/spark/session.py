"""A local Spark session configured exactly as the dbt profile's Spark target configures dbt's.

The profile (profiles.yml.example, target `spark`) is the one place the session's settings are
written: its `server_side_parameters`, with their `{{ env_var(...) }}` rendered the way dbt
renders them. Tables and the Derby metastore live in `spark_dir()`, which dbt learns as
EMG_SPARK_DIR (dbt_runner.dbt_env). Derby lets one process at a time open the metastore, so
every user of it, `emg build --target spark` and the loader alike, holds `spark_lock()`.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from emg import settings
from emg.errors import EmgError
from emg.paths import state_dir

PROFILE = "emg"
SPARK_DIR_VARIABLE = "EMG_SPARK_DIR"
POLL_SECONDS = 2.0


# Spark's own logging (log4j2), which the profile's Spark target points its JVM at: errors
# only, to stderr. Spark's default logs warnings, among them one for every dbt node ("Using an
# existing Spark session"), hundreds in a build between dbt's own lines.
LOG_CONFIG_FILE = "log4j2.properties"
LOG_CONFIG = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


def spark_dir() -> Path:
    """Where the Spark target keeps its warehouse (tables), metastore and logging settings:
    `spark/` in the state folder."""
    path = state_dir() / "spark"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    log_config = path / LOG_CONFIG_FILE
    if not log_config.exists() or log_config.read_text() != LOG_CONFIG:
        log_config.write_text(LOG_CONFIG)
    return path


def profile_output(target: str | None) -> dict:
    """The profile's output `target` (None: the profile's default target), as written in
    profiles.yml; {} when the profile cannot be read (dbt then says why). A target the
    profile does not have is one line."""
    from emg.dbt_runner import profiles_dir

    try:
        profile = yaml.safe_load((profiles_dir() / "profiles.yml").read_text())[PROFILE]
        outputs = dict(profile.get("outputs") or {})
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError):
        return {}
    name = target or profile.get("target")
    if name not in outputs:
        raise EmgError(
            f"the dbt profile {PROFILE!r} has no target {name!r}; use one of "
            f"{', '.join(sorted(map(str, outputs)))}"
        )
    return dict(outputs[name] or {})


def target_type(target: str | None) -> str:
    """The adapter of the profile's output `target`: `postgres` (prod, dev) or `spark`."""
    return str(profile_output(target).get("type") or "postgres")


def _render(value: object, env: dict[str, str]) -> str:
    """A profile value with dbt's `env_var()` rendered (the only Jinja the profile uses)."""
    import jinja2

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise EmgError(f"the Spark profile reads {name}, which is not set; set it and retry")
        return default

    return jinja2.Template(str(value)).render(env_var=env_var)


def session_conf(target: str = "spark") -> dict[str, str]:
    """The Spark settings of the profile's `target` (its server_side_parameters), rendered."""
    output = profile_output(target)
    if output.get("type") != "spark" or output.get("method") != "session":
        raise EmgError(
            f"the dbt profile's target {target!r} is not a Spark session target "
            "(type: spark, method: session); see profiles.yml.example"
        )
    env = {**settings.environment(), SPARK_DIR_VARIABLE: str(spark_dir())}
    return {
        str(key): _render(value, env)
        for key, value in (output.get("server_side_parameters") or {}).items()
    }


@contextmanager
def spark_lock(
    who: str, wait_seconds: float = 0, say: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the Spark target's lock for the block (an flock on a file of spark_dir()): one
    process at a time opens its metastore. Wait up to `wait_seconds`, then refuse in one line."""
    path = spark_dir() / "build.lock"
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                if time.monotonic() >= deadline:
                    raise EmgError(
                        f"the Spark warehouse is in use by {holder}; wait for it to end "
                        "(emg build --wait SECONDS) and retry"
                    ) from None
                if say and not told:
                    say(f"waiting for {holder} to release the Spark warehouse")
                    told = True
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(who + "\n")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_session(target: str = "spark"):
    """A Spark session (with the Hive metastore, as dbt-spark opens it) on the profile's
    `target`; stop it with `.stop()` before another process opens the same metastore."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_conf(target).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
