"""The reporting API against the real thing: `emg api start` serves uvicorn on its own port,
a real HTTP client (httpx) asks it, and every figure is compared with the marts read in SQL
on the default data built as of a fixed instant."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import httpx
import pytest
from conftest import query, run_emg

from emg.api import instance

# The default data as of a fixed instant, generated and built here: the suite's other modules
# replace the warehouse's data as they go, so this module keeps to its own.
AS_OF = "2026-11-25T15:00:00Z"


@pytest.fixture(scope="module")
def api_server(warehouse):
    """The API started with `emg api start` on the default data, stopped after the module."""
    run_emg("crm", "generate", "--as-of", AS_OF)
    run_emg("build", "--as-of", AS_OF)
    result = run_emg("api", "start", timeout=120)
    try:
        yield result.stdout
    finally:
        run_emg("api", "stop")


@pytest.fixture(scope="module")
def client(api_server):
    token = run_emg("api", "token").stdout.strip()
    with httpx.Client(
        base_url=instance.base_url(), headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        yield http


@pytest.fixture
def as_of_date(db) -> date:
    return query(db, "select as_of_date from marts.pipeline_health")[0][0]


def test_start_prints_the_address_and_where_the_token_is_never_the_token(api_server):
    token = run_emg("api", "token").stdout.strip()
    assert instance.base_url() in api_server and "emg api token" in api_server
    assert token not in api_server
    assert len(token) >= 32
    status = run_emg("api", "status")
    assert "running" in status.stdout


def test_health_needs_no_token_and_says_as_of(api_server, db):
    response = httpx.get(f"{instance.base_url()}/api/reporting/health")
    assert response.status_code == 200
    ((as_of, as_of_date),) = query(db, "select as_of, as_of_date from marts.pipeline_health")
    assert response.json() == {
        "status": "ok", "as_of": as_of.isoformat() + "Z", "as_of_date": as_of_date.isoformat()
    }  # fmt: skip


@pytest.mark.parametrize("path", ["call-volume", "agreements", "lists-out", "alerts"])
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic abc"])
def test_every_endpoint_refuses_a_missing_or_wrong_token(api_server, path, header):
    headers = {"Authorization": header} if header else {}
    response = httpx.get(f"{instance.base_url()}/api/reporting/{path}", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "bearer token" in response.json()["error"]["problem"]


def test_call_volume_matches_the_marts(client, db, as_of_date):
    start = as_of_date - timedelta(days=27)
    body = client.get("/api/reporting/call-volume", params={"from": str(start)}).json()
    (expected_total,) = query(
        db,
        "select count(*) from marts.metric_events where metric = 'calls_completed' "
        "and occurred_date between %s and %s",
        (start, as_of_date),
    )[0]
    assert sum(day["calls_completed"] for day in body["daily"]) == expected_total
    assert sum(cell["calls_completed"] for cell in body["heatmap"]) == query(
        db, "select sum(calls_completed) from marts.call_heatmap where call_date between %s and %s",
        (start, as_of_date),
    )[0][0]  # fmt: skip
    # the weeks wholly inside the dates are bdr_weekly_performance's
    whole = query(
        db,
        "select bdr_id, week_start, calls_completed, calls_target "
        "from marts.bdr_weekly_performance where week_start >= %s and week_start + 6 <= %s",
        (start, as_of_date),
    )
    shown = {(w["bdr_id"], date.fromisoformat(w["week_start"])): w for w in body["weekly"]}
    assert whole
    for bdr_id, week_start, calls, target in whole:
        row = shown[(bdr_id, week_start)]
        assert (row["calls_completed"], row["calls_target"]) == (calls, target)
        assert row["bdr_name"]


def test_filters_narrow_to_a_bdr_and_a_category(client, db):
    bdr_id, category = query(
        db,
        "select bdr_id, category from marts.metric_events where metric = 'calls_completed' "
        "and is_bdr group by 1, 2 order by count(*) desc limit 1",
    )[0]
    params = [("bdr", bdr_id), ("category", category), ("from", "2026-01-01")]
    body = client.get("/api/reporting/call-volume", params=params).json()
    assert {row["bdr_id"] for row in body["weekly"]} == {bdr_id}
    (expected,) = query(
        db,
        "select count(*) from marts.metric_events where metric = 'calls_completed' "
        "and bdr_id = %s and category = %s and occurred_date >= '2026-01-01'",
        (bdr_id, category),
    )[0]
    assert sum(day["calls_completed"] for day in body["daily"]) == expected
    assert sum(week["calls_completed"] for week in body["weekly"]) == expected


def test_agreements_team_per_bdr_and_the_overdue_list_paged(client, db):
    body = client.get("/api/reporting/agreements", params={"from": "2026-01-01"}).json()
    team = query(
        db, "select month_start, agreements, agreements_target from marts.team_monthly_kpis"
    )
    assert [(r["month_start"], r["agreements"], r["agreements_target"]) for r in body["team"]] == [
        (m.isoformat(), a, t) for m, a, t in sorted(team)
    ]
    (per_bdr,) = query(db, "select sum(agreements) from marts.bdr_monthly_performance")[0]
    assert sum(row["agreements"] for row in body["per_bdr"]) == per_bdr
    overdue = query(
        db,
        "select a.lead_id, l.lead_name from marts.fct_agreements as a "
        "join marts.dim_leads as l using (lead_id) where a.is_overdue",
    )
    assert sorted((r["lead_id"], r["lead_name"]) for r in body["overdue"]) == sorted(overdue)
    assert all(row["lead_url"].endswith(row["lead_id"]) for row in body["overdue"])
    days = [row["days_overdue"] for row in body["overdue"]]
    assert days == sorted(days, reverse=True)
    first = client.get("/api/reporting/agreements", params={"page_size": 2}).json()["overdue"]
    second = client.get("/api/reporting/agreements", params={"page_size": 2, "page": 2}).json()[
        "overdue"
    ]
    assert first + second == body["overdue"][:4]


def test_lists_out_and_its_csv(client, db):
    body = client.get("/api/reporting/lists-out", params={"from": "2026-01-01"}).json()
    expected = query(
        db,
        "select cast(date_trunc('month', sent_date) as date), count(*), round(avg(list_size), 1) "
        "from marts.fct_lists_out group by 1 order by 1",
    )
    assert [
        (r["month_start"], r["lists_out"], r["average_list_size"]) for r in body["monthly"]
    ] == [(m.isoformat(), n, float(size)) for m, n, size in expected]
    assert all(row["bdr_id"] is None for row in body["conversion"])  # the team's rows
    response = client.get(
        "/api/reporting/lists-out",
        params={"from": "2026-01-01", "format": "csv", "table": "monthly"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(row["lists_out"]) for row in rows] == [n for _, n, _ in expected]


def test_alerts_are_the_marts_alerts(client, db):
    body = client.get("/api/reporting/alerts").json()
    expected = query(db, "select alert_id, rule, message from marts.alerts")
    assert sorted((a["alert_id"], a["rule"], a["message"]) for a in body["alerts"]) == sorted(
        expected
    )
    assert body["as_of"].startswith("2026-11-25T15:00:00")


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"from": "2026-13-01"}, "from", "valid date"),
        ({"to": "yesterday"}, "to", "valid date"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "from", "is after to"),
        ({"frm": "2026-11-01"}, "frm", "unknown parameter"),
        ({"page": "-1"}, "page", "greater than or equal to 1"),
        ({"page_size": "0"}, "page_size", "greater than or equal to 1"),
        ({"format": "xml"}, "format", "json (the default) or csv"),
        ({"format": "csv"}, "table", "table=team or per_bdr or overdue"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, params, parameter, words):
    response = client.get("/api/reporting/agreements", params=params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["parameter"] == parameter and words in error["problem"], error


def test_page_is_the_agreements_own_and_an_unknown_bdr_is_a_404(client):
    response = client.get("/api/reporting/alerts", params={"page": 1})
    assert response.status_code == 400 and response.json()["error"]["parameter"] == "page"
    response = client.get("/api/reporting/alerts", params={"bdr": "no-such-bdr"})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "parameter": "bdr", "problem": "no BDR with id 'no-such-bdr' (marts.dim_bdrs lists them)"
    }  # fmt: skip


def test_an_injection_attempt_is_only_a_value(client, db):
    sneaky = "x' or '1'='1"
    response = client.get("/api/reporting/call-volume", params={"category": sneaky})
    assert response.status_code == 200
    assert response.json()["daily"] == []
    assert query(db, "select count(*) from marts.alerts")[0][0] >= 0  # the marts are intact


def wait_for(condition, seconds: float = 20.0) -> None:
    """Poll until `condition()` holds (the API hears a build, or the warehouse, in its own
    time); fail after `seconds`."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the API did not catch up in time"
        time.sleep(0.2)


def test_etag_gives_304_and_the_end_of_a_build_makes_the_answer_stale(client, db):
    """Answers are cached until a build ends: the marts changing under the API change nothing
    it serves (it asks the warehouse nothing for a cached answer), and the build's on-run-end
    notice drops every cached answer at once. (The change is made by hand and put back, and
    the build is of one seed, so the module's data stays as of its fixed instant.)"""
    first = client.get("/api/reporting/alerts")
    etag = first.headers["etag"]
    again = client.get("/api/reporting/alerts", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    query(db, "update marts.pipeline_health set as_of = as_of + interval '1 day'")
    try:
        unseen = client.get("/api/reporting/alerts", headers={"If-None-Match": etag})
        assert unseen.status_code == 304  # no build has ended: the cached answer holds
        run_emg("build", "--as-of", AS_OF, "--select", "currency_rates")

        def moved() -> bool:
            answer = client.get("/api/reporting/alerts", headers={"If-None-Match": etag})
            return answer.status_code == 200

        wait_for(moved)
        moved_answer = client.get("/api/reporting/alerts")
        assert moved_answer.json()["as_of"].startswith("2026-11-26T15:00:00")
        assert moved_answer.headers["etag"] != etag
    finally:
        # put back, and say so as a build does
        query(db, "update marts.pipeline_health set as_of = as_of - interval '1 day'")
        query(db, "notify emg_build_ended")
    wait_for(
        lambda: (
            client.get("/api/reporting/alerts", headers={"If-None-Match": etag}).status_code == 304
        )
    )


def test_a_cached_answer_still_needs_the_token_and_valid_parameters(client):
    """Cached answers are served before routing: the token is checked there too, and a
    question never asked validly (an unknown parameter) is never a cached answer."""
    assert client.get("/api/reporting/alerts").status_code == 200  # cached now
    path = f"{instance.base_url()}/api/reporting/alerts"
    assert httpx.get(path).status_code == 401
    assert httpx.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    unknown = client.get("/api/reporting/alerts", params={"colour": "red"})
    assert unknown.status_code == 400 and unknown.json()["error"]["parameter"] == "colour"


def test_more_concurrent_requests_than_connections_all_answer(client, as_of_date):
    # each a cache miss (its own `from`), 4 times the pool's connections at once: a request
    # waits for a connection rather than answering 503
    from concurrent.futures import ThreadPoolExecutor

    from emg.api.db import MAX_CONNECTIONS

    def ask(days: int) -> tuple[int, bytes]:
        start = as_of_date - timedelta(days=400 + days)  # before the data: the same answer
        response = httpx.get(
            f"{instance.base_url()}/api/reporting/call-volume",
            params={"from": str(start)}, headers=client.headers, timeout=120,
        )  # fmt: skip
        return response.status_code, response.content

    with ThreadPoolExecutor(max_workers=4 * MAX_CONNECTIONS) as pool:
        answers = list(pool.map(ask, range(4 * MAX_CONNECTIONS)))
    assert [status for status, _ in answers] == [200] * (4 * MAX_CONNECTIONS)
    assert len({body for _, body in answers}) == 1


def test_openapi_describes_every_field_from_the_marts_yaml(client):
    document = httpx.get(f"{instance.base_url()}/api/reporting/openapi.json").json()
    assert {"/api/reporting/call-volume", "/api/reporting/health"} <= set(document["paths"])
    schemas = document["components"]["schemas"]
    weekly = schemas["WeeklyCallVolume"]["properties"]
    assert all(prop.get("description") for prop in weekly.values()), weekly
    assert (
        "weekly" in schemas["BdrMonthAgreements"]["properties"]["agreements_target"]["description"]
        or schemas["BdrMonthAgreements"]["properties"]["agreements_target"]["description"]
    )
    page = httpx.get(f"{instance.base_url()}/api/reporting/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()


def test_no_secret_reaches_the_api_log(api_server, client):
    from emg.api import server

    token = run_emg("api", "token").stdout.strip()
    client.get("/api/reporting/alerts")
    log = server.service().log_file.read_text(errors="replace")
    assert token not in log and instance.reader_password() not in log


def test_the_api_reads_as_a_member_of_reporting_reader_not_the_owner(api_server, warehouse):
    import psycopg2
    from conftest import is_denied

    current = warehouse
    conn = psycopg2.connect(
        host=current.host, port=current.port, dbname=current.dbname,
        user=instance.READER_ROLE, password=instance.reader_password(),
    )  # fmt: skip
    try:
        conn.autocommit = True
        assert query(conn, "select count(*) from marts.alerts")[0][0] >= 0
        assert is_denied(conn, 'select count(*) from crm."User"')
        assert is_denied(conn, "select count(*) from audit.rejected_rows")
        (member,) = query(conn, "select pg_has_role(current_user, 'reporting_reader', 'member')")[0]
        (owner,) = query(
            conn, "select rolsuper or rolcreaterole from pg_roles where rolname = current_user"
        )[0]
        assert member and not owner
    finally:
        conn.close()


def test_a_warehouse_that_refuses_is_a_503_and_the_api_recovers_on_its_own(client, db):
    """The warehouse stops answering the API (its login refused, its connections cut, as in a
    restart): every reporting answer is a one-line JSON 503 that says what to do, health says
    unavailable, and once the warehouse answers again the API serves the same figures without
    a restart."""
    before = client.get("/api/reporting/lists-out")
    assert before.status_code == 200
    cut = "select pg_terminate_backend(pid) from pg_stat_activity where usename = %s"
    query(db, f"alter role {instance.READER_ROLE} nologin")
    try:
        query(db, cut, (instance.READER_ROLE,))
        health = f"{instance.base_url()}/api/reporting/health"
        wait_for(lambda: httpx.get(health).status_code == 503)
        assert httpx.get(health).json() == {"status": "unavailable", "as_of": None}
        for path in ("lists-out", "call-volume", "agreements", "alerts"):
            down = client.get(f"/api/reporting/{path}")
            assert down.status_code == 503, path
            assert down.json() == {
                "error": {
                    "problem": "the warehouse did not answer; try again, "
                    "or run `emg warehouse start`"
                }
            }
            assert "Traceback" not in down.text
    finally:
        query(db, f"alter role {instance.READER_ROLE} login")
    wait_for(lambda: client.get("/api/reporting/lists-out").status_code == 200)
    after = client.get("/api/reporting/lists-out")
    assert after.content == before.content
