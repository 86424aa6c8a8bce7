{#-
    What the incremental models share: which source rows changed since the last run.

    A model incremental on its sources' `updatedAt` redoes what changed since its watermark:
    the newest change it has already seen (never one later than the build's start), less
    `lookback_hours` for rows the replica lands late with an older `updatedAt`. The nightly
    full refresh catches anything later still.

    Timestamps cannot announce everything, so every run redoes it all when the source tables
    are not the ones the last run read (sources_replaced: dropped and recreated, or
    truncated, by a restore, a re-sync or `emg crm generate`) or when their newest change is
    older than the newest the model has seen (a replica replaced by older data).
-#}

{#- The watermark as a 'YYYY-MM-DD HH24:MI:SS.US' string, from a query's two columns: the
    newest change the model has seen and the sources' newest change. None when the run is not
    incremental (a full build, a unit test, which has no `this`); the start of time when
    every row must be redone. -#}
{% macro changes_watermark(seen_sql, sources_sql, source_tables) -%}
    {%- if not incremental_run() -%}{{ return(none) }}{%- endif -%}
    {%- set query -%}
        with

        seen as (
            select max(changed_at) as changed_at
            from ({{ seen_sql }}) as stored (changed_at)
            where changed_at <= {{ build_started_at() }}
        ),

        sources as (
            select max(changed_at) as changed_at
            from ({{ sources_sql }}) as tables (changed_at)
        )

        select
            to_char(
                seen.changed_at - interval '{{ var("lookback_hours") | int }} hours',
                'YYYY-MM-DD HH24:MI:SS.US'
            ),
            seen.changed_at is null or sources.changed_at < seen.changed_at
        from seen
        cross join sources
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row[1] or sources_replaced(source_tables) -%}
        {{ return(start_of_time()) }}
    {%- endif -%}
    {{ return(row[0]) }}
{%- endmacro %}


{#- The watermark of a run that redoes everything. -#}
{% macro start_of_time() -%}
    {{ return('0001-01-01 00:00:00') }}
{%- endmacro %}


{#- Whether an incremental run redoes only a scope: it has a watermark, and not the start of
    time. A run that redoes everything deletes every row and reads every source row, rather
    than find its scope: with every row in it, the scope's anti-joins against freshly loaded
    source tables (no statistics yet) ran for minutes. -#}
{% macro scoped(watermark) -%}
    {{ return(watermark is not none and watermark != start_of_time()) }}
{%- endmacro %}


{#- Empty an incremental model that redoes every row (its nightly `--full-refresh`, taken in
    place): TRUNCATE, in the run's transaction. Readers of the table wait for the run to
    commit, then see the new rows; the table keeps its oid, so views and grants on it
    survive. Deleting millions of rows instead left as many dead rows for every reader and
    test to scan until vacuum. -#}
{% macro empty_in_place() -%}
    truncate {{ this }}
{%- endmacro %}


{#- Whether this is an incremental run of the model: not a full build, nor a unit test (which
    has no `this`), nor dbt's parse. -#}
{% macro incremental_run() -%}
    {{ return(execute and this is not none and is_incremental()) }}
{%- endmacro %}


{#- The build's start, as a SQL timestamp: "now" for every incremental decision of a run. -#}
{% macro build_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro %}


{#- A predicate: the raw row may have changed since the watermark. Only a row whose
    updatedAt is plausible and older is known not to have: a missing, infinite or
    implausibly early one is redone every run. -#}
{% macro changed_since(updated_at_column, watermark) -%}
    not coalesce(
        {{ plausible_timestamp(updated_at_column) }}
        and {{ updated_at_column }} < cast('{{ watermark }}' as timestamp),
        false
    )
{%- endmacro %}


{#- The identity of source tables: each one's relation and its file node, which changes
    whenever the table is recreated or truncated. -#}
{% macro source_identity(tables) -%}
    select
        relation,
        cast(pg_relation_filenode(to_regclass(relation)) as text) as filenode
    from (
        values
        {%- for table in tables %}
        ('{{ table }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as tables (relation)
{%- endmacro %}


{#- A table of the intermediate schema that the builds keep for themselves (incremental_state,
    the change logs), by name. -#}
{% macro warehouse_state_table(identifier) -%}
    {{ return(api.Relation.create(
        database=(target.database or none), schema=generate_schema_name('intermediate', none),
        identifier=identifier
    )) }}
{%- endmacro %}


{#- The table where each incremental model keeps what its last run read: the identity of
    its source tables, and whatever else a run must compare (remembered). Created before
    every build by create_incremental_state, an on-run-start hook. -#}
{% macro incremental_state() -%}
    {{ return(warehouse_state_table('incremental_state')) }}
{%- endmacro %}


{% macro create_incremental_state() -%}
    {{ return(adapter.dispatch('create_incremental_state', 'emg')()) }}
{%- endmacro %}

{#- Other engines (Spark) build the raw-row models whole (materialized `table`): no state. -#}
{% macro default__create_incremental_state() -%}
{%- endmacro %}

{% macro postgres__create_incremental_state() -%}
    create schema if not exists {{ incremental_state().schema }};
    create table if not exists {{ incremental_state() }} (
        model text not null,
        name text not null,
        value text,
        primary key (model, name)
    );
    create table if not exists {{ staged_changes() }} (
        change_id bigserial primary key,
        source text not null,
        id text
    );
    {{ create_event_changes() }}
{%- endmacro %}


{#- Whether the source tables are not the ones the last run of this model read. -#}
{% macro sources_replaced(tables) -%}
    {%- set query -%}
        select count(*)
        from (
            select name, value from {{ incremental_state() }}
            where model = '{{ this.identifier }}' and name like 'source %'
        ) as stored
        full outer join (
            select 'source ' || relation as name, filenode as value
            from ({{ source_identity(tables) }}) as identities
        ) as current_tables
            on stored.name = current_tables.name
        where stored.value is distinct from current_tables.value
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] > 0) }}
{%- endmacro %}


{#- A value this model's last run stored (remember_sources' `values`); none if there is none. -#}
{% macro remembered(name) -%}
    {%- set query -%}
        select value from {{ incremental_state() }}
        where model = '{{ this.identifier }}' and name = '{{ name }}'
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {{ return(rows[0][0] if rows | length > 0 else none) }}
{%- endmacro %}


{#- A post-hook: remember the identity of the tables this run read, and `values` (a dict of
    names to strings) for the next run to compare. -#}
{% macro remember_sources(tables, values={}) -%}
    {{ return(adapter.dispatch('remember_sources', 'emg')(tables, values)) }}
{%- endmacro %}

{% macro default__remember_sources(tables, values) -%}
{%- endmacro %}

{% macro postgres__remember_sources(tables, values) -%}
    delete from {{ incremental_state() }} where model = '{{ this.identifier }}'
    {%- if tables | length > 0 %};
    insert into {{ incremental_state() }} (model, name, value)
    select '{{ this.identifier }}', 'source ' || relation, filenode
    from ({{ source_identity(tables) }}) as identities
    {%- endif %}
    {%- for name, value in values.items() %};
    insert into {{ incremental_state() }} (model, name, value)
    values ('{{ this.identifier }}', '{{ name }}', '{{ value }}')
    {%- endfor %}
{%- endmacro %}


{#-
    A raw-row model's incremental scope, as a pre-hook (base_crm__activity_logs,
    base_crm__pipeline_items). The model holds every raw row of one source table; an
    incremental run redoes every raw row of the ids in scope and deletes the stored ones:

    - ids with a row changed since the watermark (changed_since);
    - ids stored that have left the source (deleted from the replica);
    - ids stored with several copies (a copy deleted from the replica changes the others'
      ranks, and no timestamp says so);
    - ids whose rows depend on other tables that changed (`dependency_sql`, a query of ids:
      the row's item or user appeared or vanished, its lead was rejected...);
    - rows without an id, always (they cannot be matched).

    Copies of an id are redone together, so their ranks are right. The scope goes to a
    temporary table, `<model>__scope`, that the model's query reads (staging_in_scope), and
    to the log staged_changes, which tells the facts downstream what changed; a run that
    redoes every row (a full build, or sources replaced) logs that instead.
-#}
{% macro staging_scope_pre_hook(source_table, id_column, dependency_sql) -%}
    {{ return(adapter.dispatch('staging_scope_pre_hook', 'emg')(
        source_table, id_column, dependency_sql
    )) }}
{%- endmacro %}

{#- Other engines (Spark) rebuild a raw-row model whole every run: no scope to find. -#}
{% macro default__staging_scope_pre_hook(source_table, id_column, dependency_sql) -%}
{%- endmacro %}

{% macro postgres__staging_scope_pre_hook(source_table, id_column, dependency_sql) -%}
    {%- set watermark = staging_watermark(source_table) -%}
    {%- if watermark is not none and not scoped(watermark) -%}
        {{ empty_in_place() }};
        {{ log_staged_changes(source_table) }}
    {%- elif watermark is none and execute and this is not none -%}
        {{ log_staged_changes(source_table) }}
    {%- elif scoped(watermark) -%}
        create temporary table {{ this.identifier }}__scope on commit drop as
        select id
        from {{ source_table }}
        where id is not null and {{ changed_since('"updatedAt"', watermark) }}
        union
        select stored.{{ id_column }}
        from {{ this }} as stored
        where
            stored.{{ id_column }} is not null
            and not exists (
                select 1 from {{ source_table }} as raw_rows
                where raw_rows.id = stored.{{ id_column }}
            )
        union
        select stored.{{ id_column }}
        from {{ this }} as stored
        where stored.source_row_rank > 1
        union
        {{ dependency_sql }};
        analyze {{ this.identifier }}__scope;
        {{ log_staged_changes(source_table, this.identifier ~ '__scope') }};
        delete from {{ this }}
        where
            {{ id_column }} is null
            or {{ id_column }} in (select scope.id from {{ this.identifier }}__scope as scope)
    {%- endif -%}
{%- endmacro %}


{#- A raw-row model's watermark: its newest plausible updated_at, against its source's. -#}
{% macro staging_watermark(source_table) -%}
    {%- if not incremental_run() -%}{{ return(none) }}{%- endif -%}
    {{ return(changes_watermark(
        'select updated_at from ' ~ this,
        'select max(' ~ plausible_or_null('"updatedAt"') ~ ') from ' ~ source_table,
        [source_table]
    )) }}
{%- endmacro %}


{#- The raw rows a raw-row model's query reads: all of them, or in an incremental run the
    ids in scope and the rows without an id. The ids are one array (`= any(array(...))`), not
    a subquery: PostgreSQL looks an array up in the source's index on id and ORs it with the
    null ids, where `id in (subquery) or id is null` made it read the whole table in id order
    (11.4 s for 8,866 rows of 3 M at scale 1000, against 0.3 s). -#}
{% macro staging_in_scope(source_table) -%}
    {%- if scoped(staging_watermark(source_table)) %}
    where
        id = any(array(select scope.id from {{ this.identifier }}__scope as scope))
        or id is null
    {%- endif %}
{%- endmacro %}


{#-
    What staging changed, for the facts downstream (fct_events, fct_calls) to redo exactly
    that: one row per raw id a raw-row model redid in an incremental run (its rows changed,
    appeared, left the source or changed rejection), and one with a null id when it redid
    every row. A fact remembers the last change_id it read (remember_staged): a serial, so
    the log is ordered whatever the clock does, and a change without a timestamp (a copy
    deleted from the replica, a row rejected because its item vanished) still reaches the
    facts. Rows every consumer has read are deleted.
-#}
{% macro staged_changes() -%}
    {{ return(warehouse_state_table('staged_changes')) }}
{%- endmacro %}


{#- The raw tables whose staging models log what they redo: the facts read their changes. -#}
{% macro staged_sources() -%}
    {{ return([source('crm', 'PipelineItem'), source('crm', 'ActivityLog')]) }}
{%- endmacro %}


{#- Log the ids in a scope table (a raw-row model's incremental run), or, without one, that
    every row of the source was redone. -#}
{% macro log_staged_changes(source_table, scope_table=none) -%}
    insert into {{ staged_changes() }} (source, id)
    {%- if scope_table is none %}
    values ('{{ source_table.identifier }}', null)
    {%- else %}
    select '{{ source_table.identifier }}', scope.id from {{ scope_table }} as scope
    {%- endif %}
{%- endmacro %}


{#- A consumer of staged_changes: the last change_id it read (change_log_watermark, in
    macros/incremental/change_logs.sql), or the start of time when a source it reads was
    redone whole since. -#}
{% macro staged_watermark(source_tables, redo_all=false) -%}
    {%- set marker -%}
        id is null
        and source in (
            {%- for table in source_tables -%}
            '{{ table.identifier }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- endset -%}
    {{ return(change_log_watermark(staged_changes(), 'staged_through', marker, redo_all)) }}
{%- endmacro %}


{#- The ids of a source table staged since the consumer's watermark (a SQL query). -#}
{% macro staged_ids(source_table, watermark) -%}
    select distinct id
    from {{ staged_changes() }}
    where source = '{{ source_table.identifier }}' and change_id > {{ watermark | int }}
{%- endmacro %}


{#- A consumer's post-hook: remember_sources, then the last change_id of staged_changes this
    run read (remember_change_log_read). -#}
{% macro remember_staged(tables=[], values={}) -%}
    {{ return(adapter.dispatch('remember_staged', 'emg')(tables, values)) }}
{%- endmacro %}

{#- Other engines (Spark) rebuild the facts whole (materialized `table`): no change logs. -#}
{% macro default__remember_staged(tables, values) -%}
{%- endmacro %}

{% macro postgres__remember_staged(tables, values) -%}
    {{ remember_sources(tables, values) }};
    {{ remember_change_log_read(staged_changes(), 'staged_through') }}
{%- endmacro %}
