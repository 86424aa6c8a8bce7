{#-
    Reporting-timezone helpers (contract §3). Raw and staged timestamps are `timestamp without
    time zone` holding UTC; these turn them into local calendar values, DST included. Models
    call these instead of spelling out `at time zone`. Every macro takes an optional `tz`
    (an IANA zone name) that defaults to the `reporting_timezone` var.
-#}

{#- The reporting timezone, checked to be a plausible IANA name before it reaches SQL. -#}
{% macro reporting_timezone(tz=none) -%}
    {%- set zone = (tz or var('reporting_timezone', 'Europe/London')) | string | trim -%}
    {%- if not modules.re.match('^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$', zone) -%}
        {{ exceptions.raise_compiler_error(
            "reporting_timezone=" ~ zone ~ " is not an IANA time zone name such as Europe/London"
        ) }}
    {%- endif -%}
    {{ return(zone) }}
{%- endmacro %}


{#- A UTC timestamp as local wall-clock time (a `timestamp`). -#}
{% macro to_local(ts, tz=none) -%}
    {{ return(adapter.dispatch('to_local', 'emg')(ts, tz)) }}
{%- endmacro %}

{% macro default__to_local(ts, tz) -%}
    (({{ ts }}) at time zone 'UTC' at time zone '{{ reporting_timezone(tz) }}')
{%- endmacro %}

{% macro spark__to_local(ts, tz) -%}
    from_utc_timestamp({{ ts }}, '{{ reporting_timezone(tz) }}')
{%- endmacro %}


{#- A `timestamptz` (e.g. the sales feed's sold_at) as a UTC `timestamp`. -#}
{% macro to_utc(ts) -%}
    {{ return(adapter.dispatch('to_utc', 'emg')(ts)) }}
{%- endmacro %}

{% macro default__to_utc(ts) -%}
    (({{ ts }}) at time zone 'UTC')
{%- endmacro %}

{#- Spark's TIMESTAMP is an instant already, shown in the session's time zone, UTC
    (profiles.yml.example). -#}
{% macro spark__to_utc(ts) -%}
    cast({{ ts }} as timestamp)
{%- endmacro %}


{#- The local calendar day of a UTC timestamp (a `date`). -#}
{% macro local_date(ts, tz=none) -%}
    cast({{ to_local(ts, tz) }} as date)
{%- endmacro %}


{#- The local ISO week of a UTC timestamp: its Monday (a `date`). -#}
{% macro local_week(ts, tz=none) -%}
    cast(date_trunc('week', {{ to_local(ts, tz) }}) as date)
{%- endmacro %}


{#- The local month of a UTC timestamp: its 1st (a `date`). -#}
{% macro local_month(ts, tz=none) -%}
    cast(date_trunc('month', {{ to_local(ts, tz) }}) as date)
{%- endmacro %}


{#- The local ISO weekday of a UTC timestamp: 1 = Monday ... 7 = Sunday. -#}
{% macro local_iso_weekday(ts, tz=none) -%}
    cast({{ iso_weekday(to_local(ts, tz)) }} as integer)
{%- endmacro %}


{#- The ISO weekday of a date or timestamp as it stands: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_weekday(expression) -%}
    {{ return(adapter.dispatch('iso_weekday', 'emg')(expression)) }}
{%- endmacro %}

{% macro default__iso_weekday(expression) -%}
    extract(isodow from {{ expression }})
{%- endmacro %}

{% macro spark__iso_weekday(expression) -%}
    extract(dayofweek_iso from {{ expression }})
{%- endmacro %}


{#- The local hour of a UTC timestamp, 0-23. -#}
{% macro local_hour(ts, tz=none) -%}
    cast(extract(hour from {{ to_local(ts, tz) }}) as integer)
{%- endmacro %}


{#-
    The UTC instant (a `timestamp`) at which a local calendar day begins: local midnight of
    `date_expr` turned back into UTC, DST-correct (a local day is 23 or 25 hours long on
    clock-change days). Half-open local ranges: `ts >= local_day_start_utc(d) and
    ts < local_day_start_utc(d + 1)`.
-#}
{% macro local_day_start_utc(date_expr, tz=none) -%}
    {{ return(adapter.dispatch('local_day_start_utc', 'emg')(date_expr, tz)) }}
{%- endmacro %}

{% macro default__local_day_start_utc(date_expr, tz) -%}
    ((cast({{ date_expr }} as timestamp) at time zone '{{ reporting_timezone(tz) }}') at time zone 'UTC')
{%- endmacro %}

{% macro spark__local_day_start_utc(date_expr, tz) -%}
    to_utc_timestamp(cast({{ date_expr }} as timestamp), '{{ reporting_timezone(tz) }}')
{%- endmacro %}


{#-
    The UTC instant (a `timestamp`) of the same local wall-clock time one calendar `interval`
    earlier (e.g. '7 days', '1 month'), DST-correct: "the same point of the previous week or
    month". A month before the 31st is the last day of the shorter month (PostgreSQL's rule).
-#}
{% macro local_time_earlier(ts, interval, tz=none) -%}
    {{ return(adapter.dispatch('local_time_earlier', 'emg')(ts, interval, tz)) }}
{%- endmacro %}

{% macro default__local_time_earlier(ts, interval, tz) -%}
    (({{ to_local(ts, tz) }} - interval '{{ interval }}') at time zone '{{ reporting_timezone(tz) }}' at time zone 'UTC')
{%- endmacro %}

{% macro spark__local_time_earlier(ts, interval, tz) -%}
    to_utc_timestamp({{ to_local(ts, tz) }} - interval '{{ interval }}', '{{ reporting_timezone(tz) }}')
{%- endmacro %}
