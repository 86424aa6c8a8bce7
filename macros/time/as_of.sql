{#-
    The instant the build reports as of (contract §3), as a UTC `timestamp` literal: raw
    timestamps are `timestamp without time zone` holding UTC, so this compares with them
    directly. The `as_of` var is an ISO-8601 string (a naive one is taken as UTC); empty or
    unset means the build's start time, `run_started_at`.
-#}
{% macro as_of() -%}
    {{ return("cast('" ~ as_of_utc().strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as timestamp)") }}
{%- endmacro %}


{#-
    The as_of instant as a timezone-aware Python datetime in UTC (for Jinja, not SQL): the
    `as_of` var when set (`dbt build --vars '{as_of: ...}'`), else the environment variable
    EMG_AS_OF, which `emg build` and Dagster set. The variable is read only while models
    run, never while dbt parses: a new as_of every hour then leaves dbt's partial parsing
    intact (a changed --vars, or an env var read at parse time, re-parses the project).
-#}
{% macro as_of_utc() -%}
    {%- set utc = modules.pytz.utc -%}
    {%- set raw = var('as_of', none) -%}
    {%- if (raw is none or (raw | string | trim) == '') and execute -%}
        {%- set raw = env_var('EMG_AS_OF', '') -%}
    {%- endif -%}
    {%- if raw is none or (raw | string | trim) == '' -%}
        {{ return(run_started_at.astimezone(utc)) }}
    {%- endif -%}
    {%- set text = raw | string | trim -%}
    {%- set pattern = '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$' -%}
    {%- if not modules.re.match(pattern, text) -%}
        {{ exceptions.raise_compiler_error(
            "as_of=" ~ text ~ " (var as_of or EMG_AS_OF) is not an ISO-8601 instant; "
            ~ "use e.g. 2026-11-25T12:00:00Z"
        ) }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.fromisoformat(text.replace('Z', '+00:00')) -%}
    {%- if parsed.tzinfo is none -%}
        {%- set parsed = parsed.replace(tzinfo=utc) -%}
    {%- endif -%}
    {{ return(parsed.astimezone(utc)) }}
{%- endmacro %}


{#- The span as_of moved since the model's last run (its remembered `as_of`), whichever way
    it moved: two SQL timestamps, the earlier and the later. What happened within it started
    or stopped counting. -#}
{% macro as_of_moved_between() -%}
    {%- set previous = "cast('" ~ remembered('as_of') ~ "' as timestamp)" -%}
    {{ return((
        'least(' ~ previous ~ ', ' ~ as_of() ~ ')',
        'greatest(' ~ previous ~ ', ' ~ as_of() ~ ')',
    )) }}
{%- endmacro %}
