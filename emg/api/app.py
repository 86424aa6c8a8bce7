"""The reporting API (FastAPI): `/api/reporting/{call-volume,agreements,lists-out,alerts}` read
the marts with the dashboards' filters, `/api/reporting/health` says whether the warehouse
answers and as of when. `create_app` is uvicorn's factory (`emg api start`).

- Access: `Authorization: Bearer <token>` (EMG_API_TOKEN, else `.emg/api/token`); 401 without.
- Filters: `from`, `to` (local dates; default the 90 days up to the build's), `bdr` and
  `category` (repeatable). An unknown parameter, a malformed value, `from` after `to` or a
  page below 1 is a 400 naming the parameter; an unknown BDR id a 404. `format=csv` answers
  one table (`table=` names it where an endpoint has several) as CSV.
- Cache: each answer is kept 5 minutes per query and carries an ETag; `If-None-Match` with it
  gets a 304. The end of a build drops them all at once: the API listens for the build's
  notice (db.BuildWatch) and holds the marts' as_of in memory, so a cached answer costs the
  warehouse nothing.
- Fields are described from the marts' dbt YAML, so the OpenAPI document
  (`/api/reporting/openapi.json`, page `/api/reporting/docs`) says what the marts say.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations at
# definition time, and they name dependencies local to create_app.
import csv
import hashlib
import io
import secrets
import threading
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Annotated, Any

import psycopg2
from cachetools import TTLCache
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, create_model
from starlette.datastructures import Headers, QueryParams

from emg.api import instance
from emg.api import queries as q
from emg.api.db import BuildWatch, Database
from emg.paths import project_dir
from emg.superset.docs import read_dataset_models

PREFIX = "/api/reporting"
CACHE_SECONDS = 300
DEFAULT_DAYS = 90
MAX_PAGE_SIZE = 1000
FILTER_PARAMS = {"from", "to", "bdr", "category", "format", "table"}
# parameters an endpoint takes besides the filters: the overdue list's paging
ENDPOINT_PARAMS = {f"{PREFIX}/agreements": frozenset({"page", "page_size"})}


class ApiError(Exception):
    """An answer other than 200: its status and a one-line JSON message."""

    def __init__(self, status: int, problem: str, parameter: str | None = None):
        super().__init__(problem)
        self.status, self.problem, self.parameter = status, problem, parameter

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"problem": self.problem}
        if self.parameter:
            body = {"parameter": self.parameter, **body}
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse({"error": body}, status_code=self.status, headers=headers)


# --- response models, described from the marts' YAML -------------------------------------------


def _models(docs: dict) -> dict[str, type[BaseModel]]:
    def field(mart: str, column: str, kind: Any, description: str | None = None):
        text = description or docs[mart].column(column).description
        return (kind | None, Field(default=None, description=" ".join(text.split())))

    def model(name: str, doc: str, **fields):
        return create_model(name, __doc__=doc, **fields)

    weekly = model(
        "WeeklyCallVolume", "A BDR's week: calls completed on the chosen dates against target.",
        bdr_id=field("bdr_weekly_performance", "bdr_id", str),
        bdr_name=field("dim_bdrs", "bdr_name", str),
        week_start=field("bdr_weekly_performance", "week_start", date),
        calls_completed=field(
            "metric_events", "metric", int,
            "Calls the BDR completed in the week, on the chosen dates and categories "
            "(metric_events, metric calls_completed).",
        ),
        calls_target=field("bdr_weekly_performance", "calls_target", int),
    )  # fmt: skip
    daily = model(
        "DailyCallVolume",
        "A local day's completed calls (the team's, else the chosen BDRs').",
        date=field("metric_events", "occurred_date", date),
        calls_completed=field("metric_events", "metric", int, "Calls completed that day."),
    )
    heatmap = model(
        "HeatmapCell", "BDRs' completed calls in one local weekday and hour.",
        iso_weekday=field("call_heatmap", "iso_weekday", int),
        hour_of_day=field("call_heatmap", "hour_of_day", int),
        calls_completed=field("call_heatmap", "calls_completed", int),
    )  # fmt: skip
    team_agreements = model(
        "TeamMonthAgreements", "The team's month of agreements against the team's target.",
        month_start=field("team_monthly_kpis", "month_start", date),
        agreements=field("team_monthly_kpis", "agreements", int),
        agreements_target=field("team_monthly_kpis", "agreements_target", int),
    )  # fmt: skip
    bdr_agreements = model(
        "BdrMonthAgreements", "A BDR's month of agreements against their monthly target.",
        bdr_id=field("bdr_monthly_performance", "bdr_id", str),
        bdr_name=field("dim_bdrs", "bdr_name", str),
        month_start=field("bdr_monthly_performance", "month_start", date),
        agreements=field("bdr_monthly_performance", "agreements", int),
        agreements_target=field("bdr_monthly_performance", "agreements_target", int),
        agreements_target_to_date=field(
            "bdr_monthly_performance", "agreements_target_to_date", float
        ),
        agreements_status=field("bdr_monthly_performance", "agreements_status", str),
    )  # fmt: skip
    overdue = model(
        "OverdueList", "An agreement whose partner list is overdue, as of the build.",
        lead_id=field("fct_agreements", "lead_id", str),
        lead_name=field("dim_leads", "lead_name", str),
        lead_url=field("dim_leads", "lead_url", str),
        bdr_id=field("fct_agreements", "bdr_id", str),
        bdr_name=field("dim_bdrs", "bdr_name", str),
        category=field("fct_agreements", "category", str),
        partner_list_due_date=field("fct_agreements", "partner_list_due_date", date),
        days_overdue=field("fct_agreements", "days_overdue", int),
    )  # fmt: skip
    team_lists = model(
        "TeamMonthListsOut", "The team's month of lists out against target, with sales.",
        month_start=field("team_monthly_kpis", "month_start", date),
        lists_out=field("team_monthly_kpis", "lists_out", int),
        lists_out_target=field("team_monthly_kpis", "lists_out_target", int),
        sales=field("team_monthly_kpis", "sales", int),
        revenue=field("team_monthly_kpis", "revenue", float),
    )  # fmt: skip
    monthly_lists = model(
        "MonthListsOut", "Lists sent in a local month (chosen BDRs and categories).",
        month_start=field("team_monthly_kpis", "month_start", date),
        lists_out=field("fct_lists_out", "lead_id", int, "Lists sent in the month."),
        average_list_size=field(
            "fct_lists_out", "list_size", float, "The lists' average size (list_size)."
        ),
        sales=field("fct_lists_out", "sales_count", int),
        revenue=field("fct_lists_out", "revenue", float),
    )  # fmt: skip
    conversion = model(
        "ConversionRates",
        "Conversion rates of a cohort month (team row: bdr_id null).",
        **{
            name: field("conversion_rates_monthly", name, kind)
            for name, kind in (
                ("cohort_month", date),
                ("bdr_id", str),
                ("calls_cohort", int),
                ("call_to_proposal_rate", float),
                ("proposals_cohort", int),
                ("proposal_to_agreement_rate", float),
                ("lists_cohort", int),
                ("list_to_sale_rate", float),
            )  # fmt: skip
        },
    )
    alert = model(
        "Alert",
        "An alert firing as of the build: what the Slack notifier posts.",
        **{
            name: field("alerts", name, kind)
            for name, kind in (
                ("alert_id", str),
                ("rule", str),
                ("priority", str),
                ("bdr_id", str),
                ("metric_value", float),
                ("threshold", float),
                ("message", str),
            )  # fmt: skip
        },
    )
    return {
        "call_volume": model(
            "CallVolume",
            "Completed calls: per BDR and week, per day, by weekday and hour.",
            weekly=(list[weekly], ...),
            daily=(list[daily], ...),
            heatmap=(list[heatmap], ...),
        ),  # fmt: skip
        "agreements": model(
            "Agreements",
            "Agreements per month against target, team and per BDR; overdue lists.",
            team=(list[team_agreements], ...),
            per_bdr=(list[bdr_agreements], ...),
            overdue=(list[overdue], ...),
        ),  # fmt: skip
        "lists_out": model(
            "ListsOut",
            "Lists out per month against target, their size and sales; conversion.",
            team=(list[team_lists], ...),
            monthly=(list[monthly_lists], ...),
            conversion=(list[conversion], ...),
        ),  # fmt: skip
        "alerts": model(
            "Alerts",
            "The alerts firing as of the build.",
            as_of=(str, Field(description=docs["alerts"].column("as_of").description)),
            alerts=(list[alert], ...),
        ),  # fmt: skip
    }


class Health(BaseModel):
    status: str = Field(description="ok, or unavailable when the warehouse does not answer.")
    as_of: str | None = Field(None, description="The instant the marts are built as of (UTC).")
    as_of_date: str | None = Field(None, description="as_of's local date.")


# --- the app -----------------------------------------------------------------------------------


def create_app(database: Database | None = None) -> FastAPI:
    db = database or Database.from_instance()
    docs = read_dataset_models(project_dir() / "models")
    models = _models(docs)
    cache: TTLCache = TTLCache(maxsize=1024, ttl=CACHE_SECONDS)
    cache_lock = threading.Lock()  # endpoints run in a thread pool; TTLCache is not thread-safe

    def forget_answers() -> None:
        with cache_lock:
            cache.clear()

    watch = BuildWatch(db, forget_answers)
    expected_token = instance.token().encode()
    bearer = HTTPBearer(auto_error=False)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        watch.start()
        yield
        watch.stop()

    app = FastAPI(
        title="EMG reporting API",
        description=(
            "The sales team's figures from the warehouse's marts, as the dashboards show them. "
            "Send `Authorization: Bearer <token>` (`emg api token` prints it)."
        ),
        docs_url=f"{PREFIX}/docs",
        openapi_url=f"{PREFIX}/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )

    @app.exception_handler(ApiError)
    def _api_error(_: Request, error: ApiError) -> JSONResponse:
        return error.response()

    @app.exception_handler(RequestValidationError)
    def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        parameter = str(first["loc"][-1]) if first.get("loc") else None
        return ApiError(400, str(first.get("msg", "invalid value")), parameter).response()

    @app.exception_handler(psycopg2.Error)
    def _warehouse_down(_: Request, __: psycopg2.Error) -> JSONResponse:
        return ApiError(
            503, "the warehouse did not answer; try again, or run `emg warehouse start`"
        ).response()

    def authorized(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> None:
        if credentials is None or not secrets.compare_digest(
            credentials.credentials.encode(), expected_token
        ):
            raise ApiError(401, "a valid bearer token is required: Authorization: Bearer <token>")

    def filters(
        request: Request,
        date_from: Annotated[
            date | None, Query(alias="from", description="First local date.")
        ] = None,  # noqa: E501
        date_to: Annotated[date | None, Query(alias="to", description="Last local date.")] = None,
        bdr: Annotated[list[str] | None, Query(description="BDR ids (repeatable).")] = None,
        category: Annotated[list[str] | None, Query(description="Categories (repeatable).")] = None,  # noqa: E501
    ) -> q.Filters:
        allowed = FILTER_PARAMS | ENDPOINT_PARAMS.get(request.url.path, frozenset())
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ApiError(
                400, f"unknown parameter; this endpoint takes {', '.join(sorted(allowed))}",
                unknown[0],
            )  # fmt: skip
        # read once a request (from memory while the watch listens): `answer` keys the cache
        # on the same build the dates came from
        request.state.generation = watch.generation
        request.state.as_of = watch.as_of or db.as_of()
        as_of_date = date.fromisoformat(request.state.as_of["as_of_date"])
        date_to = date_to or as_of_date
        date_from = date_from or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise ApiError(400, f"from ({date_from}) is after to ({date_to})", "from")
        bdrs = tuple(dict.fromkeys(bdr or ()))
        if bdrs:
            unknown_bdrs = sorted(set(bdrs) - db.known_bdrs(bdrs))
            if unknown_bdrs:
                raise ApiError(
                    404, f"no BDR with id {unknown_bdrs[0]!r} (marts.dim_bdrs lists them)", "bdr"
                )
        return q.Filters(date_from, date_to, bdrs, tuple(dict.fromkeys(category or ())))

    def answer(request: Request, tables: dict[str, str], params: dict, shape: str) -> Response:
        """The tables' rows as JSON (or one as CSV), cached per query and build, with an ETag."""
        as_of = request.state.as_of
        key = cache_key(
            request.url.path, request.query_params, as_of["as_of"], request.state.generation
        )
        with cache_lock:
            body = cache.get(key)
        if body is None:
            document: dict[str, Any] = {name: db.rows(sql, params) for name, sql in tables.items()}
            if shape == "alerts":
                document = {"as_of": as_of["as_of"], "alerts": document["alerts"]}
            fmt = request.query_params.get("format", "json")
            if fmt == "csv":
                body = (_csv(_one_table(request, document)), "text/csv; charset=utf-8")
            elif fmt == "json":
                validated = models[shape].model_validate(document)
                body = (validated.model_dump_json().encode(), "application/json")
            else:
                raise ApiError(400, "format is json (the default) or csv", "format")
            etag = '"' + hashlib.sha256(body[0]).hexdigest()[:32] + '"'
            body = (*body, etag)
            with cache_lock:
                cache[key] = body
        return reply(body, request.headers.get("if-none-match", ""))

    @app.get(f"{PREFIX}/health", response_model=Health, tags=["health"])
    def health() -> Response:
        """Whether the warehouse answers, and as of when the marts are built. No token needed."""
        try:
            as_of = db.as_of()
        except psycopg2.Error:
            return JSONResponse({"status": "unavailable", "as_of": None}, status_code=503)
        return JSONResponse({"status": "ok", **as_of})

    @app.get(
        f"{PREFIX}/call-volume", response_model=models["call_volume"],
        dependencies=[Depends(authorized)], tags=["reporting"],
    )  # fmt: skip
    def call_volume(request: Request, f: Annotated[q.Filters, Depends(filters)]) -> Response:
        """Completed calls: each BDR's weeks against their target, every day, and the
        weekday × hour heatmap, on the chosen dates, BDRs and categories."""
        tables = {
            "weekly": q.CALL_VOLUME_WEEKLY,
            "daily": q.CALL_VOLUME_DAILY,
            "heatmap": q.CALL_VOLUME_HEATMAP,
        }
        return answer(request, tables, f.params(), "call_volume")

    @app.get(
        f"{PREFIX}/agreements", response_model=models["agreements"],
        dependencies=[Depends(authorized)], tags=["reporting"],
    )  # fmt: skip
    def agreements(
        request: Request,
        f: Annotated[q.Filters, Depends(filters)],
        page: Annotated[int, Query(ge=1, description="The overdue list's page, from 1.")] = 1,
        page_size: Annotated[
            int, Query(ge=1, le=MAX_PAGE_SIZE, description="Overdue rows per page.")
        ] = 100,
    ) -> Response:
        """Agreements per month against target, for the team (every user; not narrowed by BDR
        or category) and per BDR, and the overdue partner lists as of the build (not narrowed
        by dates), most overdue first, paged."""
        params = {**f.params(), "limit": page_size, "offset": (page - 1) * page_size}
        tables = {
            "team": q.AGREEMENTS_TEAM,
            "per_bdr": q.AGREEMENTS_BDR,
            "overdue": q.AGREEMENTS_OVERDUE,
        }
        return answer(request, tables, params, "agreements")

    @app.get(
        f"{PREFIX}/lists-out", response_model=models["lists_out"],
        dependencies=[Depends(authorized)], tags=["reporting"],
    )  # fmt: skip
    def lists_out(request: Request, f: Annotated[q.Filters, Depends(filters)]) -> Response:
        """Lists out per month against the team's target with sales and revenue (team), the
        lists sent per month with their average size and sales (chosen BDRs and categories),
        and conversion rates by cohort month (the team's, else the chosen BDRs')."""
        tables = {
            "team": q.LISTS_OUT_TEAM,
            "monthly": q.LISTS_OUT_MONTHLY,
            "conversion": q.CONVERSION_RATES,
        }
        return answer(request, tables, f.params(), "lists_out")

    @app.get(
        f"{PREFIX}/alerts", response_model=models["alerts"],
        dependencies=[Depends(authorized)], tags=["reporting"],
    )  # fmt: skip
    def alerts(request: Request, f: Annotated[q.Filters, Depends(filters)]) -> Response:
        """The alerts firing as of the build, most urgent first (the chosen BDRs' alone when
        `bdr` is given): what the Slack notifier posts."""
        return answer(request, {"alerts": q.ALERTS}, f.params(), "alerts")

    def cached(scope) -> Response | None:
        """The cached reply to a GET, or None (not cached, no valid token, or the build not
        known from memory): what CachedReplies serves before FastAPI routes the request."""
        as_of = watch.as_of
        if as_of is None or scope["method"] != "GET":
            return None
        headers = Headers(scope=scope)
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(given.encode(), expected_token):
            return None
        params = QueryParams(scope["query_string"])
        key = cache_key(scope["path"], params, as_of["as_of"], watch.generation)
        with cache_lock:
            body = cache.get(key)
        return None if body is None else reply(body, headers.get("if-none-match", ""))

    app.add_middleware(CachedReplies, lookup=cached)
    return app


class CachedReplies:
    """A cached answer goes straight back, before routing, validation and the thread pool: a
    repeated question costs the API a dictionary lookup and the warehouse nothing."""

    def __init__(self, app, lookup):
        self.app, self.lookup = app, lookup

    async def __call__(self, scope, receive, send):
        response = self.lookup(scope) if scope["type"] == "http" else None
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)


def cache_key(path: str, params: QueryParams, as_of: str, generation: int) -> tuple:
    """One answer per endpoint, parameters (in any order), build and build notice heard."""
    return (path, tuple(sorted(params.multi_items())), as_of, generation)


def reply(body: tuple[bytes, str, str], if_none_match: str) -> Response:
    """A cached body (content, media type, ETag) as a 200, or a 304 when the client has it."""
    content, media_type, etag = body
    headers = {"ETag": etag, "Cache-Control": f"private, max-age={CACHE_SECONDS}"}
    if etag in [tag.strip() for tag in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)


def _one_table(request: Request, document: dict[str, Any]) -> list[dict]:
    lists = {name: rows for name, rows in document.items() if isinstance(rows, list)}
    name = request.query_params.get("table") or (next(iter(lists)) if len(lists) == 1 else None)
    if name not in lists:
        raise ApiError(400, f"format=csv answers one table: table={' or '.join(lists)}", "table")
    return lists[name]


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue().encode()
