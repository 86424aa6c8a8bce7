{#-
    Dropping a relation on PostgreSQL, one drop at a time.

    dbt swaps a rebuilt table or view in and then drops the old one with `drop ... cascade`,
    which also drops every view on it (the build recreates them after). When two models that
    share a downstream view are swapped by two threads at once (say base_crm__users and
    base_crm__kpi_targets, both under audit.source_freshness), each cascade must lock that
    view's rewrite rule, each holds one the other wants, and PostgreSQL kills one build with
    "deadlock detected". Every drop here first takes one transaction-scoped advisory lock, so
    drops queue for the moment each takes (milliseconds) and never meet half-way.
-#}
{% macro postgres__drop_relation(relation) -%}
    {% call statement('drop_relation', auto_begin=False) -%}
        select pg_advisory_xact_lock(hashtext('emg: drop relation'));
        {{ get_drop_sql(relation) }}
    {%- endcall %}
{%- endmacro %}
