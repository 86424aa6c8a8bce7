"""Posting to a Slack incoming webhook with `requests`, retried by urllib3's `Retry`.

- Every request has a connect and a read timeout.
- 429 waits for `Retry-After`; 5xx, connection errors and timeouts retry with exponential
  backoff, up to `attempts` tries in all. A POST that timed out may have reached Slack, so
  a retry can repeat it: delivery is at least once.
- Any other 4xx (a revoked or wrong webhook, an invalid payload) is not retried: retrying
  cannot fix it, and the error says what is wrong.
- The webhook URL is a secret: it never appears in an error, and urllib3's own log lines
  (which name the URL's path when they retry) are redacted while we post.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from emg.errors import EmgError

REDACTED = "<SLACK_WEBHOOK_URL>"
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
# Slack's answers that mean the webhook itself is gone or wrong.
WEBHOOK_GONE = {
    "no_service",
    "no_team",
    "team_disabled",
    "invalid_token",
    "channel_not_found",
    "channel_is_archived",
    "action_prohibited",
    "posting_to_general_channel_denied",
}
_URLLIB3_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager")


class SlackDeliveryError(EmgError):
    """Slack did not take the message; `retryable` says whether a later run may succeed."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class SlackSettings:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    attempts: int = 5
    backoff: float = 1.0  # seconds before the first retry; doubled for each next one
    max_backoff: float = 60.0


def check_webhook_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EmgError(
            "SLACK_WEBHOOK_URL is not an http(s) URL; set it to the incoming webhook's URL "
            "(https://hooks.slack.com/services/...), or unset it for a dry run"
        )
    return url


def redact(text: str, secret: str | None) -> str:
    """`text` without the webhook URL, its path or its query (the secret parts)."""
    if not secret:
        return text
    parts = urlsplit(secret)
    pieces = [secret, f"{parts.path}?{parts.query}", parts.query, parts.path]
    for piece in pieces:
        if len(piece) > 1 and piece != "?":
            text = text.replace(piece, REDACTED)
    return text


class _RedactFilter(logging.Filter):
    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secret)
        record.args = None
        return True


@contextmanager
def redacted_logs(secret: str) -> Iterator[None]:
    """Redact the secret from urllib3's log records while the block runs."""
    loggers = [logging.getLogger(name) for name in _URLLIB3_LOGGERS]
    log_filter = _RedactFilter(secret)
    for logger in loggers:
        logger.addFilter(log_filter)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(log_filter)


def session(settings: SlackSettings) -> requests.Session:
    retries = settings.attempts - 1
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        allowed_methods=frozenset({"POST"}),
        status_forcelist=RETRIED_STATUSES,
        backoff_factor=settings.backoff,
        backoff_max=settings.max_backoff,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )
    http = requests.Session()
    http.mount("https://", HTTPAdapter(max_retries=retry))
    http.mount("http://", HTTPAdapter(max_retries=retry))
    return http


def _refusal(status: int, body: str) -> SlackDeliveryError:
    reason = body.strip().splitlines()[0][:120] if body.strip() else "no reason given"
    if status == 429 or status >= 500:
        return SlackDeliveryError(
            f"Slack answered HTTP {status} ({reason}) on every attempt; the next run retries",
            retryable=True,
        )
    if reason in WEBHOOK_GONE or status in (403, 404, 410):
        return SlackDeliveryError(
            f"Slack refused the webhook (HTTP {status} {reason}): it is revoked or wrong; set "
            "SLACK_WEBHOOK_URL to a current incoming-webhook URL (not retried)",
            retryable=False,
        )
    if reason.startswith("invalid_payload") or status == 400:
        return SlackDeliveryError(
            f"Slack refused the message as invalid (HTTP {status} {reason}); this is a bug in "
            "the message builder, please report it (not retried)",
            retryable=False,
        )
    return SlackDeliveryError(
        f"Slack refused the message (HTTP {status} {reason}) (not retried)", retryable=False
    )


def _unreachable(error: requests.RequestException, settings: SlackSettings) -> str:
    cause = error
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if isinstance(reason, BaseException):
        cause = reason
    if isinstance(error, requests.Timeout) or "Timeout" in type(cause).__name__:
        what = (
            f"timed out (connect {settings.connect_timeout:g} s, read {settings.read_timeout:g} s)"
        )
    else:
        what = f"could not connect ({type(cause).__name__})"
    return f"Slack {what} on all {settings.attempts} attempts; the next run retries"


def post(http: requests.Session, url: str, payload: dict, settings: SlackSettings) -> None:
    """POST one message; return when Slack took it, raise SlackDeliveryError otherwise."""
    body = json.dumps(payload)
    with redacted_logs(url):
        try:
            response = http.post(
                url,
                data=body.encode(),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=(settings.connect_timeout, settings.read_timeout),
            )
        except requests.RequestException as error:
            raise SlackDeliveryError(_unreachable(error, settings), retryable=True) from None
    if response.status_code != 200:
        raise _refusal(response.status_code, redact(response.text, url))
