"""Superset's configuration for the EMG warehouse (read by Superset through SUPERSET_CONFIG_PATH).

`emg superset start` points Superset here. Everything local lives in the project's state
folder (`.emg/superset/` by default; EMG_STATE_DIR moves it): the metadata database (SQLite),
the secret key, the results cache, the pid file and the logs.
"""

from __future__ import annotations

from emg.superset.event_log import RedactingEventLogger
from emg.superset.instance import (
    cache_dir,
    metadata_uri,
    secret_key,
)

# The metadata database: a project-local SQLite file, never the warehouse.
SQLALCHEMY_DATABASE_URI = metadata_uri()

# From SUPERSET_SECRET_KEY, else generated once into a git-ignored file; never a default.
SECRET_KEY = secret_key()

# Superset's action log (the `logs` table) keeps request bodies: secrets masked first.
EVENT_LOGGER = RedactingEventLogger()

# Chart results are cached for 5 minutes, on disk so that every gunicorn worker shares them.
_FIVE_MINUTES = 300
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": str(cache_dir() / "data"),
    "CACHE_DEFAULT_TIMEOUT": _FIVE_MINUTES,
    "CACHE_KEY_PREFIX": "emg_data_",
}
CACHE_CONFIG = {
    "CACHE_TYPE": "FileSystemCache",
    "CACHE_DIR": str(cache_dir() / "metadata"),
    "CACHE_DEFAULT_TIMEOUT": _FIVE_MINUTES,
    "CACHE_KEY_PREFIX": "emg_meta_",
}

# CSV and Excel export of every chart (Superset's own; Admin and Alpha hold can_csv).
CSV_EXPORT = {"encoding": "utf-8-sig"}
EXCEL_EXPORT: dict = {}

# Served on 127.0.0.1 over plain HTTP: no HTTPS redirect, no HSTS.
TALISMAN_ENABLED = False
SESSION_COOKIE_SECURE = False

# The examples and the welcome tour are noise for leadership.
SUPERSET_LOAD_EXAMPLES = False
FEATURE_FLAGS = {
    "DASHBOARD_RBAC": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
}

# The Handlebars KPI cards colour their traffic light with a `style` on a span; Superset's
# sanitizer (GitHub's schema) drops styles unless allowed here, and allows nothing else more.
HTML_SANITIZATION_SCHEMA_EXTENSIONS = {"attributes": {"span": ["style"]}}

# Every login lands on the Overview dashboard (emg/superset/landing.py), not on Superset's Home.
FAB_INDEX_VIEW = "emg.superset.landing.LandingIndexView"
LANDING_DASHBOARD = "overview"

# The roles and users APIs (/api/v1/security/...) through which emg keeps the readers' roles
# (superset/roles.yml) and logins (`emg superset user add`); Superset's default, stated here
# because emg relies on it.
FAB_ADD_SECURITY_API = True

# A slow first query on a cold warehouse must not kill the worker.
SUPERSET_WEBSERVER_TIMEOUT = 120
