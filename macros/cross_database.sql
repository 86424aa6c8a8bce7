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


{#- dbt's cast (dbt.cast), with the type in PostgreSQL's words translated by sql_type. dbt's
    contracts cast null to each column's `data_type` to compare a model's columns with its
    YAML (get_empty_schema_sql), so the marts' contracts, written once in PostgreSQL's words
    (text, numeric(12, 2), timestamp), hold on Spark too. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ sql_type(type) }})
{%- endmacro %}


{#- The seconds from one timestamp to another (negative when `to_at` is earlier), fractions
    included: PostgreSQL's epoch of their difference, Spark's difference of their
    microseconds since the epoch. -#}
{% macro seconds_between(from_at, to_at) -%}
    {{ return(adapter.dispatch('seconds_between', 'emg')(from_at, to_at)) }}
{%- endmacro %}

{% macro default__seconds_between(from_at, to_at) -%}
    extract(epoch from ({{ to_at }}) - ({{ from_at }}))
{%- endmacro %}

{% macro spark__seconds_between(from_at, to_at) -%}
    ((unix_micros({{ to_at }}) - unix_micros({{ from_at }})) / 1000000.0)
{%- endmacro %}


{#- A numeric without trailing zeros in its scale (2.50 -> 2.5): the same value, shown as
    PostgreSQL's trim_scale shows it. Spark's DECIMAL has its column's fixed scale, so there the
    value is left as it is (tests compare numbers, not their scales). -#}
{% macro trimmed_numeric(expression) -%}
    {{ return(adapter.dispatch('trimmed_numeric', 'emg')(expression)) }}
{%- endmacro %}

{% macro default__trimmed_numeric(expression) -%}
    trim_scale({{ expression }})
{%- endmacro %}

{% macro spark__trimmed_numeric(expression) -%}
    {{ expression }}
{%- endmacro %}


{#- A numeric as the text of a message, without trailing zeros (25, 0.2, 1.05), to be
    concatenated with `||`. PostgreSQL: trim_scale, which `||` writes as that text; Spark: the
    decimal written plainly, the zeros after its point cut (and the point, when nothing is left).
    -#}
{% macro numeric_as_text(expression) -%}
    {{ return(adapter.dispatch('numeric_as_text', 'emg')(expression)) }}
{%- endmacro %}

{% macro default__numeric_as_text(expression) -%}
    trim_scale({{ expression }})
{%- endmacro %}

{#- (to_char with a fixed pattern: a DECIMAL's own text can be scientific, 0E-10 for a zero of
    scale 10; the pattern drops the sign, which is put back first.) -#}
{% macro spark__numeric_as_text(expression) -%}
    regexp_replace(
        regexp_replace(
            case when {{ expression }} < 0 then '-' else '' end
            || trim(to_char(
                cast(abs({{ expression }}) as decimal(38, 10)),
                '9999999999999999999999999990.0000000000'
            )),
            '([.][0-9]*?)0+$', '$1'
        ),
        '[.]$', ''
    )
{%- endmacro %}


{#- A date as text in a format written as PostgreSQL's to_char writes it: `YYYY-MM-DD`
    (2026-11-23) or `FMMonth YYYY` (November 2026); Spark spells the same with date_format's
    pattern. Any other format stops the compile in one line (add it to the Spark map). -#}
{% macro date_as_text(expression, format) -%}
    {{ return(adapter.dispatch('date_as_text', 'emg')(expression, format)) }}
{%- endmacro %}

{% macro default__date_as_text(expression, format) -%}
    to_char({{ expression }}, '{{ format }}')
{%- endmacro %}

{% macro spark__date_as_text(expression, format) -%}
    {%- set patterns = {'YYYY-MM-DD': 'yyyy-MM-dd', 'FMMonth YYYY': 'MMMM yyyy'} -%}
    {%- if format not in patterns -%}
        {{ exceptions.raise_compiler_error(
            "date_as_text: no Spark pattern for the format " ~ format
            ~ "; add it to spark__date_as_text's map"
        ) }}
    {%- endif -%}
    date_format({{ expression }}, '{{ patterns[format] }}')
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
