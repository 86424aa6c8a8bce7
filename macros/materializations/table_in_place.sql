{#-
    table_in_place: a table whose contents a build replaces in place, so that what others
    built on it survives every build: an analyst's views, grants given by hand, indexes.

    dbt's own `table` builds a new table and swaps it in with `drop ... cascade`, which takes
    every view on the old table with it. Here the model's query fills a temporary table
    (contract enforced, as dbt's table would be), and when the existing table has the same
    columns its rows are replaced in one transaction, by writing only the difference (the
    rows gone deleted, the rows new inserted; an unchanged row keeps its physical version):
    readers see the old rows or the new, never an empty or missing table, and an hourly build
    that changes a few rows of a large mart writes a few rows. Only when the columns changed
    (a new version of the model) is the table rebuilt and swapped as dbt's `table` does;
    then, as with any breaking change, views on it must be recreated.

    --full-refresh changes nothing: every build replaces all the rows anyway. Grants of the
    model's config are added; grants others gave are kept.
-#}
{% materialization table_in_place, adapter='postgres' %}

    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set grant_config = config.get('grants') -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set in_place = existing_relation is not none and existing_relation.is_table -%}
    {%- if in_place -%}
        {%- set staged_relation = make_temp_relation(target_relation) -%}
        {#- dbt enforces no contract on a temporary table: check the columns here; the
            existing table's own constraints (not null, keys) check the rows on insert. -#}
        {% call statement('stage') -%}
            {%- if config.get('contract').enforced %}{{ get_assert_columns_equivalent(sql) }}{% endif %}
            {{ get_create_table_as_sql(True, staged_relation, sql) }}
        {%- endcall %}
        {%- set staged = adapter.get_columns_in_relation(staged_relation) -%}
        {%- set existing = adapter.get_columns_in_relation(target_relation) -%}
        {%- set in_place = emg_column_signature(staged) == emg_column_signature(existing) -%}
    {%- endif -%}

    {%- if in_place -%}
        {%- set columns = staged | map(attribute='name') | map('replace', '"', '""') | list -%}
        {%- set column_list = '"' ~ (columns | join('", "')) ~ '"' -%}
        {%- set stored = staged_relation.identifier ~ '__stored' -%}
        {%- set fresh = staged_relation.identifier ~ '__fresh' -%}
        {%- set changed = staged_relation.identifier ~ '__changed' -%}
        {#- Only the difference is written. Rows are compared by the md5 of their text (the
            columns are the same, in the same order): a hash held by a different number of
            stored and new rows has changed, and its stored rows are deleted and its new rows
            inserted; every other row stays as it is. So the result is exactly the new rows,
            duplicates included. -#}
        {% call statement('main') -%}
            create temporary table {{ stored }} on commit drop as
            select
                stored_rows.ctid as emg_row_ctid,
                md5(cast(stored_rows as text)) as emg_row_hash
            from {{ target_relation }} as stored_rows;
            create temporary table {{ fresh }} on commit drop as
            select
                new_rows.*,
                md5(cast(new_rows as text)) as emg_row_hash
            from {{ staged_relation }} as new_rows;
            create temporary table {{ changed }} on commit drop as
            select both_sides.emg_row_hash
            from (
                select stored.emg_row_hash, 1 as emg_side from {{ stored }} as stored
                union all
                select fresh.emg_row_hash, -1 as emg_side from {{ fresh }} as fresh
            ) as both_sides
            group by both_sides.emg_row_hash
            having sum(both_sides.emg_side) <> 0;
            analyze {{ changed }};
            delete from {{ target_relation }} as stored_rows
            using {{ stored }} as stored
            where
                stored_rows.ctid = stored.emg_row_ctid
                and stored.emg_row_hash in (select changed.emg_row_hash from {{ changed }} as changed);
            insert into {{ target_relation }} ({{ column_list }})
            select {{ column_list }}
            from {{ fresh }} as fresh
            where fresh.emg_row_hash in (select changed.emg_row_hash from {{ changed }} as changed);
            drop table {{ staged_relation }};
        {%- endcall %}
    {%- else -%}
        {#- New, or its columns changed: build it whole and swap it in, as dbt's table does. -#}
        {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
        {%- set backup_relation = make_backup_relation(
            target_relation, existing_relation.type if existing_relation is not none else 'table'
        ) -%}
        {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
        {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
        {% call statement('main') -%}
            {{ get_create_table_as_sql(False, intermediate_relation, sql) }}
        {%- endcall %}
        {% do create_indexes(intermediate_relation) %}
        {% if existing_relation is not none %}
            {{ adapter.rename_relation(existing_relation, backup_relation) }}
        {% endif %}
        {{ adapter.rename_relation(intermediate_relation, target_relation) }}
    {%- endif %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}

    {% do apply_grants(target_relation, grant_config, should_revoke=False) %}
    {% do persist_docs(target_relation, model) %}

    {{ adapter.commit() }}

    {%- if not in_place -%}
        {{ drop_relation_if_exists(backup_relation) }}
    {%- endif %}

    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}


{#- The columns of a relation as (name, type) pairs, to tell whether a new build fits. -#}
{% macro emg_column_signature(columns) -%}
    {%- set signature = [] -%}
    {%- for column in columns -%}
        {%- do signature.append((column.name | lower, column.data_type | lower)) -%}
    {%- endfor -%}
    {{ return(signature) }}
{%- endmacro %}
