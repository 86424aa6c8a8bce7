"""The hourly Slack post against a real warehouse and a real HTTP server playing Slack.

One generate + build for the module: 70 leads, as of Friday 2026-11-27 15:00 UTC, when the
weekly thresholds in force are 4/5 of the week's (contract §6) and three alerts fire: overdue
partner lists, low upcoming calls, one BDR needing support. Each test starts with an empty
ledger (schema ops dropped) and the build's marts.alerts restored. Deliveries keep office
hours Mon-Fri 08:00-18:00 Europe/London (the default): the tests' clocks are inside them unless
a test says otherwise.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from conftest import query, run_emg

from emg.alerts.delivery import deliver
from emg.alerts.message import BLOCKS_PER_MESSAGE, SECTION_TEXT_LIMIT
from emg.alerts.office_hours import from_setting
from emg.alerts.slack import SlackDeliveryError, SlackSettings, redact

AS_OF = "2026-11-27T15:00:00Z"
LEADS = "70"
BUILT_AT = datetime(2026, 11, 25, 15, tzinfo=UTC)
SECRET_PATH = "/services/T0EMG/B0EMG/s3cr3tW3bh00kT0k3n"
FAST = SlackSettings(connect_timeout=1, read_timeout=0.5, attempts=3, backoff=0.05)
OFFICE_HOURS = from_setting(None, "Europe/London")  # Mon-Fri 08:00-18:00


@pytest.fixture(scope="module")
def built(warehouse):
    run_emg("crm", "generate", "--as-of", AS_OF, "--leads", LEADS)
    run_emg("build", "--as-of", AS_OF)
    conn = __import__("emg.warehouse", fromlist=["connect"]).connect()
    conn.autocommit = True
    query(conn, "drop table if exists public.alerts_as_built")
    query(conn, "create table public.alerts_as_built as select * from marts.alerts")
    conn.close()


@pytest.fixture(autouse=True)
def clean(built, db):
    query(db, "drop schema if exists ops cascade")
    yield
    query(db, "truncate marts.alerts")
    query(db, "insert into marts.alerts select * from public.alerts_as_built")


@pytest.fixture()
def webhook(httpserver):
    return httpserver.url_for(SECRET_PATH)


def send(db, url, hours_later: float = 0, **options):
    options.setdefault("settings", FAST)
    options.setdefault("office_hours", OFFICE_HOURS)
    return deliver(
        db,
        webhook_url=url,
        timezone="Europe/London",
        now=BUILT_AT + timedelta(hours=hours_later),
        **options,
    )


def posts(httpserver) -> list[dict]:
    return [json.loads(request.get_data()) for request, _ in httpserver.log]


def lines(payload: dict) -> list[str]:
    sections = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    return [line for text in sections for line in text.splitlines()]


def ledger(db) -> dict[str, tuple]:
    rows = query(
        db,
        "select alert_id, status, first_posted_at, times_posted, last_error from ops.alert_ledger",
    )
    return {row[0]: row[1:] for row in rows}


def deliveries(db) -> list[tuple]:
    return query(
        db,
        "select status, messages_planned, messages_posted, error"
        " from ops.alert_deliveries order by delivery_id",
    )


def test_the_post_carries_every_firing_alert_grouped_by_priority(db, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    result = send(db, webhook, superset_base_url="http://superset.test")

    expected = query(db, "select priority, message from marts.alerts order by priority_rank")
    assert [p for p, _ in expected] == ["urgent", "high", "medium"]
    [payload] = posts(httpserver)
    assert result.status == "delivered" and result.new == 3
    text = lines(payload)
    assert text[0] == ":rotating_light: *Urgent*"
    for _, message in expected:
        assert any(line.startswith(f"• {message} · <http://superset.test/") for line in text)
    assert [h for h in text if not h.startswith("•")] == [
        ":rotating_light: *Urgent*",
        ":red_circle: *High*",
        ":large_orange_circle: *Medium*",
    ]
    assert all(row[0] == "firing" and row[1] and row[2] == 1 for row in ledger(db).values())
    assert deliveries(db) == [("delivered", 1, 1, None)]


def test_a_second_run_with_nothing_new_posts_nothing(db, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    send(db, webhook)
    again = send(db, webhook, hours_later=1)
    assert len(httpserver.log) == 1
    assert again.status == "nothing_to_post" and again.messages == ()


def test_an_alert_that_stops_firing_gets_one_resolved_line(db, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    send(db, webhook)
    [(message,)] = query(
        db, "select message from marts.alerts where rule = 'overdue_partner_lists'"
    )
    query(db, "delete from marts.alerts where rule = 'overdue_partner_lists'")

    send(db, webhook, hours_later=1)
    send(db, webhook, hours_later=2)
    first, resolved = posts(httpserver)
    assert lines(resolved) == [":white_check_mark: *Resolved*", f"• {message}"]
    assert [row[0] for row in ledger(db).values()].count("resolved") == 1


def test_still_firing_alerts_are_reminded_in_one_line_once_per_interval(db, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    for hours in (0, 1, 23, 24, 25, 47, 48):
        send(db, webhook, hours_later=hours)
    first, day_one, day_two = posts(httpserver)
    assert lines(day_one) == lines(day_two)
    assert lines(day_one) == [
        ":hourglass_flowing_sand: *Still firing*",
        "3 alerts are still firing since posted: Overdue partner lists (urgent), "
        "Low upcoming calls (high), BDR needs support (medium).",
    ]


def test_a_500_then_a_200_is_delivered_once(db, httpserver, webhook):
    httpserver.expect_oneshot_request(SECRET_PATH).respond_with_data("oops", status=500)
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    result = send(db, webhook)
    assert [response.status_code for _, response in httpserver.log] == [500, 200]
    assert result.status == "delivered"
    assert all(row[2] == 1 for row in ledger(db).values())
    assert send(db, webhook, hours_later=1).status == "nothing_to_post"


def test_a_429_waits_for_retry_after_then_delivers(db, httpserver, webhook):
    httpserver.expect_oneshot_request(SECRET_PATH).respond_with_data(
        "rate_limited", status=429, headers={"Retry-After": "2"}
    )
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    started = time.monotonic()
    result = send(db, webhook)
    assert time.monotonic() - started >= 2
    assert [response.status_code for _, response in httpserver.log] == [429, 200]
    assert result.status == "delivered"


@pytest.fixture()
def hanging_webhook():
    """A server that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}{SECRET_PATH}"


def test_a_hanging_server_times_out_fails_visibly_and_the_next_run_delivers(
    db, httpserver, webhook, hanging_webhook
):
    started = time.monotonic()
    with pytest.raises(SlackDeliveryError, match="timed out .* on all 3 attempts") as failure:
        send(db, hanging_webhook)
    assert time.monotonic() - started < 10
    assert failure.value.retryable
    [(status, planned, sent, error)] = deliveries(db)
    assert (status, planned, sent) == ("failed", 1, 0) and "timed out" in error
    assert all(row[1] is None and "timed out" in row[3] for row in ledger(db).values())

    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    retried = send(db, webhook, hours_later=1)
    assert retried.status == "delivered" and retried.new == 3
    assert all(row[1] and row[3] is None for row in ledger(db).values())


def test_a_revoked_webhook_is_not_retried_and_says_what_is_wrong(db, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH).respond_with_data("no_service", status=404)
    with pytest.raises(SlackDeliveryError) as failure:
        send(db, webhook)
    assert len(httpserver.log) == 1
    assert not failure.value.retryable
    assert "HTTP 404 no_service" in str(failure.value)
    assert "revoked or wrong; set SLACK_WEBHOOK_URL" in str(failure.value)


def test_an_invalid_payload_is_not_retried(db, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH).respond_with_data("invalid_payload", status=400)
    with pytest.raises(SlackDeliveryError, match="invalid_payload.*not retried"):
        send(db, webhook)
    assert len(httpserver.log) == 1


def test_a_crash_after_posting_and_before_recording_posts_again_next_run(db, httpserver, webhook):
    """At least once: Slack may see a message twice, the ledger never claims an unsent one."""
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")

    def crash(message):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        send(db, webhook, on_posted=crash)
    assert all(row[1] is None for row in ledger(db).values())
    [(status, _, _, error)] = deliveries(db)
    assert status == "failed" and error.startswith("interrupted after Slack took a message")

    send(db, webhook, hours_later=1)
    send(db, webhook, hours_later=2)
    crashed, reposted = posts(httpserver)
    assert lines(crashed) == lines(reposted)
    assert all(row[2] == 1 for row in ledger(db).values())


def test_three_hundred_firing_alerts_are_split_into_valid_messages(db, httpserver, webhook):
    query(
        db,
        """
        create temp table more_alerts as
        select alerts.*, copy from marts.alerts cross join generate_series(1, 297) as copy
        where rule = 'bdr_needs_support';
        update more_alerts set alert_id = md5(alert_id || copy),
            message = 'Rep ' || copy || ' ' || message;
        alter table more_alerts drop column copy;
        insert into marts.alerts select * from more_alerts;
        """,
    )
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    result = send(db, webhook)
    payloads = posts(httpserver)
    assert result.firing == 300 and len(payloads) == len(result.messages) >= 2
    for payload in payloads:
        assert len(payload["blocks"]) <= BLOCKS_PER_MESSAGE
        assert all(
            len(b["text"]["text"]) <= SECTION_TEXT_LIMIT
            for b in payload["blocks"]
            if b["type"] == "section"
        )
    posted_lines = [line for payload in payloads for line in lines(payload) if line[0] == "•"]
    assert len(posted_lines) == 300
    assert sum(row[2] for row in ledger(db).values()) == 300


# --- Office hours: hours after BUILT_AT (Wednesday 25 Nov 15:00 UTC; GMT is local time) ---
FRIDAY_3PM, FRIDAY_7PM, SATURDAY_2AM, SATURDAY_10AM, MONDAY_8AM = 48, 52, 59, 67, 113
SHOP = "Mon-Fri 08:00-18:00 Europe/London"


def test_an_alert_arising_friday_night_is_posted_monday_at_eight_once(db, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    friday = send(db, webhook, FRIDAY_7PM)
    assert httpserver.log == [] and friday.messages == ()
    assert (friday.status, friday.held) == ("held", 3)
    assert friday.summary() == (
        f"alerts as of 2026-11-27 15:00 UTC: 3 firing; outside office hours ({SHOP}): "
        "3 held for 08:00 Monday 30 Nov (held)"
    )
    assert all(row[0] == "firing" and row[1] is None for row in ledger(db).values())
    [(gone,)] = query(db, "select message from marts.alerts where rule = 'overdue_partner_lists'")
    query(db, "delete from marts.alerts where rule = 'overdue_partner_lists'")  # fixed Saturday
    assert send(db, webhook, SATURDAY_10AM).held == 3
    send(db, webhook, MONDAY_8AM - 1)  # Monday 07:00
    assert httpserver.log == []

    monday = send(db, webhook, MONDAY_8AM)
    for hours in (1, 2):  # 09:00 and 10:00 post nothing more
        assert send(db, webhook, MONDAY_8AM + hours).status == "nothing_to_post"
    [post] = posts(httpserver)
    assert (monday.status, monday.new, monday.came_and_went) == ("delivered", 2, 1)
    text = lines(post)
    assert [heading for heading in text if not heading.startswith("•")] == [
        ":red_circle: *High*",
        ":large_orange_circle: *Medium*",
        ":crescent_moon: *Came and went outside office hours*",
    ]
    assert text[-1] == f"• {gone} _(arose Fri 27 Nov, 19:00; resolved since)_"
    rows = ledger(db).values()
    assert sorted(row[0] for row in rows) == ["firing", "firing", "resolved"]
    assert all(row[2] == 1 for row in rows)  # each posted once
    assert [row[0] for row in deliveries(db)] == [
        "held", "held", "held", "delivered", "nothing_to_post", "nothing_to_post",
    ]  # fmt: skip


@pytest.fixture()
def monday_build(db):
    """Makes the Friday build look like Monday 30 Nov 08:00's: the week rolled over, so the
    weekly rules (pro-rated to nothing on a Monday) are quiet and overdue partner lists fires
    under the new week's fingerprint. Puts the Friday build back afterwards."""
    [(as_of, week)] = query(db, "select max(as_of), max(as_of_week) from marts.as_of_metrics")
    monday = datetime(2026, 11, 30, 8)

    def rebuild() -> None:
        query(db, "update marts.as_of_metrics set as_of = %s, as_of_week = %s", (monday, monday))
        query(db, "delete from marts.alerts where rule <> 'overdue_partner_lists'")
        query(
            db,
            "update marts.alerts set alert_id = md5(alert_id || 'week of 2026-11-30'),"
            " week_start = %s, as_of = %s",
            (monday.date(), monday),
        )

    yield rebuild
    query(db, "update marts.as_of_metrics set as_of = %s, as_of_week = %s", (as_of, week))


def test_a_resolution_at_the_weekend_is_posted_monday_though_the_week_rolled_over(
    db, httpserver, webhook, monday_build
):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    send(db, webhook, FRIDAY_3PM)  # all three posted
    [(message,)] = query(db, "select message from marts.alerts where rule = 'low_upcoming_calls'")
    query(db, "delete from marts.alerts where rule = 'low_upcoming_calls'")  # resolved overnight
    saturday = send(db, webhook, SATURDAY_2AM)
    assert (saturday.status, saturday.held) == ("held", 1) and len(httpserver.log) == 1

    monday_build()
    monday = send(db, webhook, MONDAY_8AM)
    send(db, webhook, MONDAY_8AM + 1)
    friday, post = posts(httpserver)
    assert (monday.new, monday.resolved, monday.closed_silently) == (1, 1, 2)
    text = lines(post)
    assert text[0] == ":rotating_light: *Urgent*" and "partner lists are overdue" in text[1]
    assert text[2:] == [":white_check_mark: *Resolved*", f"• {message}"]
    statuses = sorted(row[0] for row in ledger(db).values())
    assert statuses == ["expired", "expired", "firing", "resolved"]


def test_a_reminder_due_at_night_is_posted_at_eight_once(db, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    every_4_hours = timedelta(hours=4)
    for hours in (FRIDAY_3PM, FRIDAY_7PM, FRIDAY_7PM + 4, SATURDAY_10AM, MONDAY_8AM - 1):
        send(db, webhook, hours, reminder_interval=every_4_hours)
    assert len(httpserver.log) == 1  # Friday 15:00's post; the 19:00 reminder was held
    for hours in (0, 1, 2, 3, 4):  # Monday 08:00 to 12:00
        send(db, webhook, MONDAY_8AM + hours, reminder_interval=every_4_hours)
    friday, eight, noon = posts(httpserver)
    assert (
        lines(eight)
        == lines(noon)
        == [
            ":hourglass_flowing_sand: *Still firing*",
            "3 alerts are still firing since posted: Overdue partner lists (urgent), "
            "Low upcoming calls (high), BDR needs support (medium).",
        ]
    )


def test_without_a_webhook_it_is_a_dry_run_that_records_nothing_as_posted(db):
    printed = []
    result = send(db, None, echo=printed.append)
    assert result.status == "dry_run"
    assert "partner lists are overdue" in json.loads(printed[0])["blocks"][2]["text"]["text"]
    assert ledger(db) == {}
    assert deliveries(db) == [("dry_run", 1, 0, None)]


def test_a_dry_run_outside_office_hours_says_what_it_would_hold(db):
    printed = []
    result = send(db, None, FRIDAY_7PM, echo=printed.append)
    assert printed == [] and ledger(db) == {}
    assert result.summary().endswith(
        f"outside office hours ({SHOP}): would hold 3 for 08:00 Monday 30 Nov (dry_run)"
    )


def test_the_webhook_url_reaches_no_log_error_or_ledger(
    db, httpserver, webhook, hanging_webhook, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request(SECRET_PATH).respond_with_data("oops", status=503)
    errors = []
    for url in (webhook, hanging_webhook):
        with pytest.raises(SlackDeliveryError) as failure:
            send(db, url)
        errors.append(str(failure.value))
    httpserver.clear()
    httpserver.expect_request(SECRET_PATH).respond_with_data("no_service", status=404)
    with pytest.raises(SlackDeliveryError) as failure:
        send(db, webhook)
    errors.append(str(failure.value))

    # Every record but the stand-in Slack server's own access log (werkzeug's).
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name != "werkzeug"
    )
    assert "Retrying" in logged  # urllib3 did log its retries, redacted
    ops_text = json.dumps(
        query(db, "select to_jsonb(l)::text from ops.alert_ledger as l")
        + query(db, "select to_jsonb(d)::text from ops.alert_deliveries as d"),
        default=str,
    )
    out, err = capfd.readouterr()
    for text in (logged, *errors, ops_text, out, err):
        assert SECRET_PATH not in text
        assert "s3cr3t" not in text


def test_emg_alerts_send_dry_run_prints_the_message_and_posts_nothing(built, db):
    result = run_emg("alerts", "send", "--dry-run", env={"SLACK_WEBHOOK_URL": ""})
    payload = json.loads(result.stdout)
    assert payload["blocks"][0]["text"]["text"] == "EMG sales alerts"
    assert "3 firing; would post 1 message(s)" in result.stderr
    assert ledger(db) == {}


def test_emg_alerts_send_with_a_revoked_webhook_fails_in_one_line(built, httpserver, webhook):
    httpserver.expect_request(SECRET_PATH).respond_with_data("no_service", status=404)
    result = run_emg("alerts", "send", check=False, env={"SLACK_WEBHOOK_URL": webhook})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "emg: error: Slack refused the webhook (HTTP 404 no_service): it is revoked or wrong; "
        "set SLACK_WEBHOOK_URL to a current incoming-webhook URL (not retried)"
    ]
    assert "s3cr3t" not in result.stdout + result.stderr


def test_emg_alerts_send_outside_office_hours_holds_the_posts_and_says_until_when(
    built, db, httpserver, webhook
):
    httpserver.expect_request(SECRET_PATH, method="POST").respond_with_data("ok")
    env = {"SLACK_WEBHOOK_URL": webhook, "EMG_SLACK_OFFICE_HOURS": "Mon-Thu 08:00-18:00"}
    result = run_emg("alerts", "send", env=env)  # the build's Friday 15:00
    assert httpserver.log == []
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "3 firing; outside office hours (Mon-Thu 08:00-18:00 Europe/London): "
            "3 held for 08:00 Monday 30 Nov (held)"
        )
    )
    assert [row[1] for row in ledger(db).values()] == [None, None, None]

    run_emg("alerts", "send", "--office-hours", "always", env=env)
    run_emg("alerts", "send", env={**env, "EMG_SLACK_OFFICE_HOURS": ""})  # the default: open
    [post] = posts(httpserver)
    assert len(lines(post)) == 6  # three headings, three alerts: posted once


def test_emg_alerts_send_with_office_hours_that_do_not_parse_fails_in_one_line(built):
    env = {"EMG_SLACK_OFFICE_HOURS": "weekdays 9 to 5"}
    result = run_emg("alerts", "send", "--dry-run", check=False, env=env)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        "emg: error: EMG_SLACK_OFFICE_HOURS='weekdays 9 to 5' is not office hours; use days "
        "and local hours like 'Mon-Fri 08:00-18:00'"
    )


def test_a_secret_in_the_webhook_urls_query_string_is_redacted_too():
    url = "https://hooks.example.test/hook?token=s3cr3tQuery&channel=sales"
    logged = (
        "POST /hook?token=s3cr3tQuery&channel=sales 503; retrying token=s3cr3tQuery&channel=sales"
    )
    assert "s3cr3tQuery" not in redact(logged, url)
    assert "s3cr3tQuery" not in redact(f"failed: {url}", url)
