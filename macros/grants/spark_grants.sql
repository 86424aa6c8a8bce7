{#-
    A model's `grants` config (audit's and the marts' SELECT for the reporting roles) is
    PostgreSQL's: on Spark it is a no-op. dbt-spark would ask `show grants on` a relation it
    replaces, which the local session's Spark SQL cannot parse, so the second build of a view
    with grants failed. The roles themselves are PostgreSQL's (reporting_reader.sql).
-#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}
