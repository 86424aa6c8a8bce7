{#-
    dbt-spark's column comment for a view's column list, with one change: the description is
    cut to the 256 characters the Hive metastore's column comments hold. A longer one made
    Spark's metastore (Derby) spend about 2 s per column before taking it, 20 s per view of
    documented columns. The whole description stays in dbt's docs; PostgreSQL's comments are
    whole (this macro is dbt-spark's alone).
-#}
{% macro get_column_comment_sql(column_name, column_dict) -%}
    {%- set column_comment_clause = '' -%}
    {%- if column_name in column_dict and column_dict[column_name]["description"] -%}
        {%- set description = column_dict[column_name]["description"] | trim -%}
        {%- if description | length > 256 -%}
            {%- set description = description[:255] ~ '…' -%}
        {%- endif -%}
        {%- set column_comment_clause = "comment '" ~ (description | replace("'", "\\'")) ~ "'" -%}
    {%- endif -%}
    {{ adapter.quote(column_name) }} {{ column_comment_clause }}
{%- endmacro %}
