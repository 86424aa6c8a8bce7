{#-
    SQL that PostgreSQL and Spark spell differently, written once per engine and chosen by
    `adapter.dispatch` (profiles.yml.example: the prod and dev targets are PostgreSQL, spark is
    Spark). A model calls the macro; `postgres__` spells it as the project always has, so a
    PostgreSQL build compiles to the same SQL, and `spark__` as Spark SQL. Where dbt's own
    cross-database macros (dbt.date_trunc, dbt.dateadd, dbt.hash...) say it, models use those.
-#}

{#- A column type named as PostgreSQL names it (`text`, `timestamptz`, `numeric(12, 2)`), in the
    engine's words. -#}
{% macro sql_type(name) -%}
    {{ return(adapter.dispatch('sql_type', 'emg')(name)) }}
{%- endmacro %}

{% macro default__sql_type(name) -%}
    {{ return(name) }}
{%- endmacro %}

{#- Spark: strings for text, TIMESTAMP (an instant, shown in the session's UTC) for timestamptz,
    and DECIMAL for numeric, whose bare form would be DECIMAL(10, 0) there: PostgreSQL's
    unbounded numeric is given Spark's widest scale-preserving DECIMAL(38, 10). -#}
{% macro spark__sql_type(name) -%}
    {%- set type = name | trim | lower -%}
    {%- if type in ('text', 'varchar') -%}
        {{ return('string') }}
    {%- elif type in ('timestamptz', 'timestamp with time zone', 'timestamp without time zone') -%}
        {{ return('timestamp') }}
    {%- elif type == 'numeric' -%}
        {{ return('decimal(38, 10)') }}
    {%- elif type.startswith('numeric(') -%}
        {{ return('decimal' ~ type[7:]) }}
    {%- endif -%}
    {{ return(name) }}
{%- endmacro %}


{#- Whether a timestamp or date is finite: null for null, else true, except PostgreSQL's
    `infinity` and `-infinity`, which Spark has no value for. -#}
{% macro is_finite(expression) -%}
    {{ return(adapter.dispatch('is_finite', 'emg')(expression)) }}
{%- endmacro %}

{% macro default__is_finite(expression) -%}
    isfinite({{ expression }})
{%- endmacro %}

{% macro spark__is_finite(expression) -%}
    ({{ expression }} is not null or null)
{%- endmacro %}


{#- A whole raw row (`alias`, a relation's alias in the FROM clause) as one JSON value: what
    staging keeps of every raw row (raw_row) for the rejected-rows model. PostgreSQL: jsonb;
    Spark: a JSON string of the row as a struct. -#}
{% macro row_as_json(alias) -%}
    {{ return(adapter.dispatch('row_as_json', 'emg')(alias)) }}
{%- endmacro %}

{% macro default__row_as_json(alias) -%}
    to_jsonb({{ alias }})
{%- endmacro %}

{% macro spark__row_as_json(alias) -%}
    to_json(struct({{ alias }}.*))
{%- endmacro %}


{#- True where `value` matches the regular expression `pattern` (null for null); a pattern
    both engines read alike (POSIX on PostgreSQL, Java's on Spark): classes, anchors, counts. -#}
{% macro matches_regex(value, pattern) -%}
    {{ return(adapter.dispatch('matches_regex', 'emg')(value, pattern)) }}
{%- endmacro %}

{% macro default__matches_regex(value, pattern) -%}
    {{ value }} ~ '{{ pattern }}'
{%- endmacro %}

{% macro spark__matches_regex(value, pattern) -%}
    {{ value }} rlike '{{ pattern }}'
{%- endmacro %}


{#- True where `value` does not match `pattern` (matches_regex's negation; null for null). -#}
{% macro does_not_match(value, pattern) -%}
    {{ return(adapter.dispatch('does_not_match', 'emg')(value, pattern)) }}
{%- endmacro %}

{% macro default__does_not_match(value, pattern) -%}
    {{ value }} !~ '{{ pattern }}'
{%- endmacro %}

{% macro spark__does_not_match(value, pattern) -%}
    not ({{ value }} rlike '{{ pattern }}')
{%- endmacro %}


{#- The seconds from `earlier` to `later` (two timestamps), fractions kept: a numeric. -#}
{% macro epoch_seconds_between(later, earlier) -%}
    {{ return(adapter.dispatch('epoch_seconds_between', 'emg')(later, earlier)) }}
{%- endmacro %}

{% macro default__epoch_seconds_between(later, earlier) -%}
    extract(epoch from {{ later }} - {{ earlier }})
{%- endmacro %}

{#- Spark: the difference of the microseconds since the epoch, as an exact decimal. -#}
{% macro spark__epoch_seconds_between(later, earlier) -%}
    (cast(unix_micros({{ later }}) - unix_micros({{ earlier }}) as decimal(38, 6)) / 1000000)
{%- endmacro %}


{#- `hours` (a number) as a span of time to add to or compare with a timestamp's difference. -#}
{% macro interval_of_hours(hours) -%}
    {{ return(adapter.dispatch('interval_of_hours', 'emg')(hours)) }}
{%- endmacro %}

{% macro default__interval_of_hours(hours) -%}
    {{ hours }} * interval '1 hour'
{%- endmacro %}

{#- Spark: a day-time interval of the hours' microseconds (null for null). -#}
{% macro spark__interval_of_hours(hours) -%}
    make_dt_interval(0, 0, 0, cast({{ hours }} * 3600 as decimal(18, 6)))
{%- endmacro %}
