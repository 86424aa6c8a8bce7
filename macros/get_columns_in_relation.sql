{#-
    dbt-postgres's postgres__get_columns_in_relation, with one change: a column of a
    PostgreSQL enum type (the CRM's enums in Prisma's shape, contract §2) is reported as `text`,
    where information_schema says `USER-DEFINED`. dbt builds unit-test fixtures by casting
    each value to the input's column types as this macro reports them, and `USER-DEFINED`
    is no type (`cast(' call ' as USER-DEFINED)`). Text, not the enum's own name: the
    fixtures hold untrimmed, lower-case and unknown values on purpose, which a cast to the
    enum rejects, and staging reads both shapes as text (clean_enum), so a text fixture
    runs the same SQL. Every other column is reported as dbt-postgres reports it.
-#}
{% macro postgres__get_columns_in_relation(relation) -%}
    {% call statement('get_columns_in_relation', fetch_result=True) %}
        select
            columns.column_name,
            case
                when enum_types.oid is not null then 'text'
                else columns.data_type
            end as data_type,
            columns.character_maximum_length,
            columns.numeric_precision,
            columns.numeric_scale

        from {{ relation.information_schema('columns') }} as columns
        left join pg_catalog.pg_namespace as type_schemas
            on columns.udt_schema = type_schemas.nspname
        left join pg_catalog.pg_type as enum_types
            on
                type_schemas.oid = enum_types.typnamespace
                and columns.udt_name = enum_types.typname
                and enum_types.typtype = 'e'
        where columns.table_name = '{{ relation.identifier }}'
            {% if relation.schema %}
                and columns.table_schema = '{{ relation.schema }}'
            {% endif %}
        order by columns.ordinal_position
    {% endcall %}
    {% set table = load_result('get_columns_in_relation').table %}
    {{ return(sql_convert_columns_in_relation(table)) }}
{%- endmacro %}
