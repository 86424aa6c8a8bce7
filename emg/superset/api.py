"""A small client of Superset's REST API: log in, import a bundle, read and fix dashboards, ask
for chart data. Used by `emg superset import` and by the tests."""

from __future__ import annotations

import json
from typing import Any

import requests

from emg.errors import EmgError


class Superset:
    """A logged-in session (JWT for the API, plus the CSRF token Superset wants on writes)."""

    def __init__(self, base_url: str, username: str, password: str, timeout: int = 120):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        response = self.session.post(
            f"{self.base_url}/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": True},
            timeout=timeout,
        )
        if response.status_code != 200:
            raise EmgError(
                f"Superset at {self.base_url} refused the login of {username!r} "
                f"(HTTP {response.status_code}); check SUPERSET_ADMIN_PASSWORD"
            )
        token = response.json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"
        csrf = self.get("/api/v1/security/csrf_token/")["result"]
        self.session.headers.update({"X-CSRFToken": csrf, "Referer": self.base_url})

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def get(self, path: str, **params) -> Any:
        response = self.session.get(self.url(path), params=params, timeout=self.timeout)
        _raise_for(response, path)
        return response.json()

    def put(self, path: str, payload: dict) -> Any:
        response = self.session.put(self.url(path), json=payload, timeout=self.timeout)
        _raise_for(response, path)
        return response.json()

    def create(self, path: str, payload: dict) -> Any:
        """A POST that must succeed (a new role, user or filter): its JSON answer."""
        response = self.post(path, payload)
        _raise_for(response, path)
        return response.json()

    def post(self, path: str, payload: dict) -> requests.Response:
        """A raw POST (chart data, exports): the caller reads the status and body."""
        return self.session.post(self.url(path), json=payload, timeout=self.timeout)

    def import_bundle(self, resource: str, bundle: bytes, passwords: dict[str, str]) -> None:
        """POST a bundle to /api/v1/<resource>/import/, overwriting what exists."""
        response = self.session.post(
            self.url(f"/api/v1/{resource}/import/"),
            files={"formData": ("emg_dashboards.zip", bundle, "application/zip")},
            data={"overwrite": "true", "passwords": json.dumps(passwords)},
            timeout=self.timeout,
        )
        if response.status_code != 200:
            raise EmgError(
                f"Superset refused the {resource} bundle (HTTP {response.status_code}): "
                f"{_first_message(response)}"
            )

    def list_all(self, resource: str, columns: list[str]) -> list[dict]:
        """Every row of /api/v1/<resource>/ (paged)."""
        rows: list[dict] = []
        page = 0
        while True:
            query = {"columns": columns, "page": page, "page_size": 100}
            result = self.get(f"/api/v1/{resource}/", q=_rison(query))
            rows += result["result"]
            if len(rows) >= result["count"] or not result["result"]:
                return rows
            page += 1

    def dashboard(self, id_or_slug: int | str) -> dict:
        return self.get(f"/api/v1/dashboard/{id_or_slug}")["result"]

    def dashboard_charts(self, id_or_slug: int | str) -> list[dict]:
        return self.get(f"/api/v1/dashboard/{id_or_slug}/charts")["result"]


def _rison(value: Any) -> str:
    """The tiny subset of rison Superset's list endpoints need (dicts, lists, str, int)."""
    if isinstance(value, dict):
        return "(" + ",".join(f"{key}:{_rison(item)}" for key, item in value.items()) + ")"
    if isinstance(value, list):
        return "!(" + ",".join(_rison(item) for item in value) + ")"
    if isinstance(value, bool):
        return "!t" if value else "!f"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("!", "!!").replace("'", "!'") + "'"


def _first_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip().splitlines()[0][:300] if response.text.strip() else "no body"
    text = json.dumps(body.get("errors") or body.get("message") or body)
    return text[:500]


def _raise_for(response: requests.Response, path: str) -> None:
    if response.status_code >= 400:
        raise EmgError(
            f"Superset answered HTTP {response.status_code} to {path}: {_first_message(response)}"
        )
