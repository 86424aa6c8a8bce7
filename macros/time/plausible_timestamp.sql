{#-
    The plausible window for raw dates (contract §8), the one place it is written. A timestamp (or
    date) is plausible when it is finite (PostgreSQL's `infinity` and `-infinity` are valid
    values, and no real event has them), on or after the `earliest_plausible_date` var, and, when
    `written_at` is given, no more than `plausible_days_ahead` days after it: the moment the row
    was last written (the CRM's createdAt / updatedAt, the feed's load).

    The check reads the row's own write time and the vars, never as_of, so staging does not
    depend on as_of. It is null for a null value (and true or false otherwise), so
    `case when {{ plausible_timestamp('x') }} then x end` keeps nulls null and
    `coalesce(not {{ plausible_timestamp('x') }}, false)` flags only a value that is there.
    A null `written_at` leaves the upper bound unchecked.
-#}
{% macro plausible_timestamp(column, written_at=none) -%}
    (
        {{ is_finite(column) }}
        and {{ column }} >= {{ earliest_plausible_date() }}
        {%- if written_at is not none %}
        and (
            {{ column }} <= ({{ written_at }}) + {{ plausible_days_ahead() }}
            or ({{ written_at }}) is null
        )
        {%- endif %}
    )
{%- endmacro %}


{#- The earliest_plausible_date var as a SQL `date` literal, checked to be YYYY-MM-DD. -#}
{% macro earliest_plausible_date() -%}
    {%- set text = var('earliest_plausible_date', '2000-01-01') | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{ exceptions.raise_compiler_error(
            "var earliest_plausible_date=" ~ text ~ " is not a date; use e.g. 2000-01-01"
        ) }}
    {%- endif -%}
    {{ return("cast('" ~ text ~ "' as date)") }}
{%- endmacro %}


{#- The plausible_days_ahead var as a SQL `interval`, checked to be a whole number of days. -#}
{% macro plausible_days_ahead() -%}
    {%- set text = var('plausible_days_ahead', 730) | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', text) -%}
        {{ exceptions.raise_compiler_error(
            "var plausible_days_ahead=" ~ text ~ " is not a whole number of days; use e.g. 730"
        ) }}
    {%- endif -%}
    {{ return("interval '" ~ text ~ " days'") }}
{%- endmacro %}


{#- The column where it is plausible (plausible_timestamp), else null. -#}
{% macro plausible_or_null(column, written_at=none) -%}
    case when {{ plausible_timestamp(column, written_at) }} then {{ column }} end
{%- endmacro %}


{#-
    When the CRM last wrote the row, as two columns: `updated_at`, the raw updatedAt where it
    is plausible (an infinite or too early one is null, like a missing one), and
    `written_at`, the later of createdAt and that: what anchors the plausible window of the
    row's other dates.
-#}
{% macro row_write_times(created_at='created_at', raw_updated_at='raw_updated_at') -%}
    {{ plausible_or_null(raw_updated_at) }} as updated_at,
    greatest({{ created_at }}, {{ plausible_or_null(raw_updated_at) }}) as written_at
{%- endmacro %}
