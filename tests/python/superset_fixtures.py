"""Session fixtures for the Superset tests: the default data, one real Superset started with
`emg superset start` (its own state folder and port, so a running demo is never touched), a
leader's and a BDR's logins made with `emg superset user add`, and one real Chromium that opens
every dashboard once as admin, once as the leader and once as the BDR.

Registered in conftest.py, so each fixture is one instance for the whole session.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO, run_emg

AS_OF = "2026-11-25T15:00:00Z"
SLUGS = (
    "overview",
    "bdr-scorecard",
    "funnel",
    "bdr-leaderboard",
    "activity-heatmap",
    "pipeline-health",
    "data-quality",
    "history",
)
CHROMIUM = os.environ.get("EMG_CHROMIUM", "/usr/bin/chromium")
CHART_TIMEOUT_S = 90
ECHARTS_ANIMATION_MS = 1200  # its default animationDuration (1000 ms) and a margin
NETWORK_IDLE_MS = 500  # Playwright's networkidle: no request for this long


@dataclass
class Server:
    base_url: str
    password: str
    home: Path
    start_output: str
    start_seconds: float


@dataclass
class Render:
    """One dashboard as the browser showed it."""

    slug: str
    seconds: float
    screenshot: Path
    chart_ids: list[int]
    # slice_id -> (request body as the UI sent it, HTTP status, response body)
    requests: dict[int, tuple[dict, int, dict]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # slice_id -> the chart's text as shown (its title, a card's words)
    texts: dict[int, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def superset_data(warehouse):
    """The default simulated CRM, built as of a fixed instant."""
    run_emg("crm", "generate", "--as-of", AS_OF)
    run_emg("build", "--as-of", AS_OF)


@pytest.fixture(scope="session")
def superset_server(superset_data):
    """A fresh Superset (its state folder wiped first), stopped at the end of the session."""
    from emg.superset import instance as ss
    from emg.superset import server

    if server.running_pid():
        raise AssertionError(f"a Superset runs from {ss.home()}; the suite needs its own state")
    shutil.rmtree(ss.home(), ignore_errors=True)
    started = time.monotonic()
    result = run_emg("superset", "start", timeout=600)
    seconds = time.monotonic() - started
    try:
        yield Server(
            base_url=ss.base_url(),
            password=ss.admin_password()[0],
            home=ss.home(),
            start_output=result.stdout + result.stderr,
            start_seconds=seconds,
        )
    finally:
        run_emg("superset", "stop", check=False)


@pytest.fixture(scope="session")
def superset_api(superset_server):
    from emg.superset.api import Superset

    return Superset(superset_server.base_url, "admin", superset_server.password)


@dataclass
class Login:
    """A reader's login made with `emg superset user add`."""

    name: str
    role: str
    password: str
    add_output: str  # what `emg superset user add` printed
    bdr_id: str | None = None
    bdr_name: str | None = None


@pytest.fixture(scope="session")
def superset_logins(superset_server) -> dict[str, Login]:
    """A leader (password generated) and the BDR with the most completed calls (password
    given), keyed by role."""
    from emg import warehouse as wh

    conn = wh.connect(wh.settings())
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select b.bdr_id, b.bdr_name from marts.call_heatmap as h "
                "join marts.dim_bdrs as b using (bdr_id) "
                "group by 1, 2 order by sum(h.calls_completed) desc, 2 limit 1"
            )
            bdr_id, bdr_name = cur.fetchone()
    finally:
        conn.close()
    added = run_emg("superset", "user", "add", "lea.leader", "--role", "leader")
    generated = added.stdout.split("generated password (shown once, kept nowhere): ")[1].split()[0]
    bdr_password = "bdr-" + bdr_id[-8:] + "-pass"
    bdr = run_emg(
        "superset", "user", "add", "sam.bdr", "--role", "bdr",
        "--bdr-id", bdr_id, "--password", bdr_password,
    )  # fmt: skip
    return {
        "leader": Login("lea.leader", "leader", generated, added.stdout + added.stderr),
        "bdr": Login("sam.bdr", "bdr", bdr_password, bdr.stdout + bdr.stderr, bdr_id, bdr_name),
    }


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(superset_server):
    """One Chromium for the session (Debian's chromium, never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def browser_page(browser, superset_server):
    """A page logged in as admin."""
    page = browser.new_page(viewport={"width": 1600, "height": 2200})
    log_in(page, superset_server)
    return page


def log_in(page, server: Server, user: str = "admin", password: str | None = None, attempts=3):
    """The form login; returns the URL it landed on. Right after a start the first one can
    bounce back to /login once (a known Superset quirk), so it is retried; any other failure
    is raised as it is."""
    for _ in range(attempts):
        page.goto(f"{server.base_url}/login/")
        page.fill("[data-test=username-input]", user)
        page.fill("[data-test=password-input]", password or server.password)
        page.click("[data-test=login-button]")
        page.wait_for_load_state("networkidle")
        if "/login" not in page.url:
            return page.url
    raise AssertionError(f"the login did not get past /login in {attempts} attempts")


def bdr_filter_query(names: list[str]) -> str:
    """The dashboard URL's `native_filters` parameter (rison) selecting these BDRs."""
    values = ",".join("'" + name.replace("!", "!!").replace("'", "!'") + "'" for name in names)
    rison = (
        f"(NATIVE_FILTER-emg-bdr:(id:NATIVE_FILTER-emg-bdr,"
        f"extraFormData:(filters:!((col:bdr_name,op:IN,val:!({values})))),"
        f"filterState:(value:!({values}))))"
    )
    return "native_filters=" + urllib.parse.quote(rison)


def render_dashboard(page, server: Server, slug: str, query: str = "", shot: Path | None = None):
    """Open a dashboard, wait until every chart has its data and has drawn, collect errors."""
    responses = []

    def on_response(response):
        if "/api/v1/chart/data" in response.url and response.request.method == "POST":
            responses.append(response)

    page.on("response", on_response)
    started = time.monotonic()
    try:
        page.goto(f"{server.base_url}/superset/dashboard/{slug}/" + (f"?{query}" if query else ""))
        page.wait_for_selector("[data-test=chart-grid-component]", timeout=CHART_TIMEOUT_S * 1000)
        chart_ids = sorted(
            int(value)
            for value in page.eval_on_selector_all(
                "[data-test=chart-grid-component]",
                "nodes => nodes.map(n => n.getAttribute('data-test-chart-id'))",
            )
        )

        def wait_until_drawn():
            page.wait_for_function(
                """ids => ids.every(id => {
                    const holder = document.querySelector(`[data-test-chart-id="${id}"]`);
                    if (!holder) return false;
                    if (holder.querySelector('.loading, [aria-label="Loading"]')) return false;
                    return !!holder.querySelector(
                        'canvas, svg, table, .header-line, h1, [role=alert], .ant-alert');
                })""",
                arg=chart_ids,
                timeout=CHART_TIMEOUT_S * 1000,
            )

        wait_until_drawn()
        page.wait_for_load_state("networkidle")
        seconds = time.monotonic() - started
        render = Render(slug=slug, seconds=seconds, screenshot=shot or Path(), chart_ids=chart_ids)
        for response in responses:
            body = response.request.post_data_json or {}
            slice_id = (body.get("form_data") or {}).get("slice_id")
            if slice_id is None:
                continue  # a filter's list of values, not a chart
            try:
                payload = response.json()
            except Exception:  # noqa: BLE001 - an HTML error page is an error to report
                payload = {"text": response.text()[:300]}
            render.requests[int(slice_id)] = (body, response.status, payload)
        render.errors = chart_errors(page, render)
        render.texts = {
            slice_id: page.inner_text(f'[data-test-chart-id="{slice_id}"]')
            for slice_id in chart_ids
        }
        if shot:
            # The picture is of the whole page at the size it was drawn at. A full-page
            # screenshot makes the viewport as tall as the page at the moment of the picture,
            # and Superset redraws its grid on a resize: twice in CI the picture caught the grid
            # empty although every chart had been read just before. So the viewport is made as
            # tall as the page first, and the picture waits for the redraw that sets off.
            viewport = dict(page.viewport_size)
            height = page.evaluate("document.documentElement.scrollHeight")
            if height > viewport["height"]:
                page.set_viewport_size({"width": viewport["width"], "height": height})
            try:
                # the native filters settle after the charts' first draw and can redraw the
                # grid too: the picture waits for the charts once more
                wait_until_drawn()
                page.wait_for_load_state("networkidle")
                # ECharts draws its series in over a second (canvas, beyond the reach of
                # Playwright's `animations="disabled"`); networkidle is half a second after the
                # last response, so the rest of that second passes before the picture
                page.wait_for_timeout(ECHARTS_ANIMATION_MS - NETWORK_IDLE_MS)
                wait_until_drawn()
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot))
            finally:
                page.set_viewport_size(viewport)
        return render
    finally:
        page.remove_listener("response", on_response)


def chart_errors(page, render: Render) -> list[str]:
    errors = []
    for slice_id in render.chart_ids:
        if slice_id not in render.requests:
            errors.append(f"chart {slice_id}: the UI sent no data request")
            continue
        _, status, payload = render.requests[slice_id]
        failed = [q.get("error") for q in payload.get("result", []) if q.get("error")]
        if status != 200 or failed or "result" not in payload:
            errors.append(f"chart {slice_id}: HTTP {status} {failed or str(payload)[:200]}")
    shown = page.eval_on_selector_all(
        "[data-test=chart-grid-component]",
        """nodes => nodes.filter(n => n.querySelector('[role=alert], .ant-alert-error'))
                         .map(n => n.getAttribute('data-test-chart-id') + ': ' + n.innerText)""",
    )
    return errors + [f"chart {text[:300]}" for text in shown]


@pytest.fixture(scope="session")
def rendered(browser_page, superset_server) -> dict[str, Render]:
    """Every dashboard opened once on the default data, with a full-page screenshot."""
    shots = superset_server.home / "screenshots"
    renders = {
        slug: render_dashboard(browser_page, superset_server, slug, shot=shots / f"{slug}.png")
        for slug in SLUGS
    }
    timings = {slug: round(render.seconds, 2) for slug, render in renders.items()}
    (superset_server.home / "render_seconds.json").write_text(json.dumps(timings, indent=2))
    print(f"dashboard render seconds: {timings}")
    if os.environ.get("EMG_UPDATE_SCREENSHOTS"):
        for slug, render in renders.items():
            shutil.copyfile(render.screenshot, REPO / "docs" / "superset" / f"{slug}.png")
    return renders


@dataclass
class Viewing:
    """Every dashboard as one reader's browser showed it, and where the login landed."""

    login: Login
    landed: str
    renders: dict[str, Render]


@pytest.fixture(scope="session")
def rendered_as(browser, superset_server, superset_logins) -> dict[str, Viewing]:
    """Every dashboard opened once as the leader and once as the BDR (each in a browser context
    of its own), keyed by role; the BDR's screenshots are docs/superset/bdr-view/<slug>.png."""
    viewings = {}
    for role, login in superset_logins.items():
        context = browser.new_context(viewport={"width": 1600, "height": 2200})
        page = context.new_page()
        landed = log_in(page, superset_server, login.name, login.password)
        shots = superset_server.home / "screenshots" / role
        renders = {
            slug: render_dashboard(page, superset_server, slug, shot=shots / f"{slug}.png")
            for slug in SLUGS
        }
        context.close()
        viewings[role] = Viewing(login, landed, renders)
    if os.environ.get("EMG_UPDATE_SCREENSHOTS"):
        target = REPO / "docs" / "superset" / "bdr-view"
        target.mkdir(exist_ok=True)
        for slug, render in viewings["bdr"].renders.items():
            shutil.copyfile(render.screenshot, target / f"{slug}.png")
    return viewings
