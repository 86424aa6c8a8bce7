{#-
    A raw enum column as the upper-cased, trimmed text staging compares (contract §2, §8), null
    where it is null or blank. The CRM's enum columns arrive as PostgreSQL enum types (Prisma's
    shape, kept by a logical replica or a restore) or as text (most replication tools): the
    cast to text first reads both the same way, since trim() and upper() take no enum. The one
    place the staging models read an enum column; an unknown value is kept as it is, for the
    base models to flag.
-#}
{% macro clean_enum(column) -%}
    upper(nullif(trim(cast({{ column }} as {{ sql_type('text') }})), ''))
{%- endmacro %}
