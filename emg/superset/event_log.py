"""Superset's action log (its `logs` table) without secrets.

Superset records each request's form and JSON body in `logs.json`; a dashboard import
carries the warehouse reader's password in its `passwords` field, and a database edit its
URI. This logger is Superset's own database logger with those fields masked before they are
written (`EVENT_LOGGER` in superset/superset_config.py).
"""

from __future__ import annotations

import re
from typing import Any

from superset.utils.log import DBEventLogger

MASK = "XXXXXXXXXX"
SECRET_KEY = re.compile(r"pass|secret|token|private_key|sqlalchemy_uri|credential", re.I)
URI_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)")


def redact(value: Any, key: str = "") -> Any:
    """`value` with every secret-looking field masked, however deep."""
    if SECRET_KEY.search(key) and value not in (None, "", {}, []):
        return MASK
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, key) for item in value]
    if isinstance(value, str):
        return URI_PASSWORD.sub(rf"\g<1>{MASK}\g<2>", value)
    return value


class RedactingEventLogger(DBEventLogger):
    def log(self, user_id, action, dashboard_id, duration_ms, slice_id, referrer, *args, **kwargs):
        for field in ("records", "curated_payload"):
            if kwargs.get(field):
                kwargs[field] = redact(kwargs[field])
        super().log(user_id, action, dashboard_id, duration_ms, slice_id, referrer, *args, **kwargs)
