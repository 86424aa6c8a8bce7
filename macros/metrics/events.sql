{#-
    fct_events' incremental scope. fct_events holds every event whatever `as_of` is, so an
    hourly run only has to redo the events the last hour's changes can have moved: those of
    the leads "touched" since the watermark. A lead is touched when its row, one of its
    partner contacts, or a CALL / STATUS_CHANGE activity on them changed (their `updatedAt`),
    or when a user who owns some of its events, or who owns the lead, changed. Sales carry no
    change timestamp the warehouse may require (SPEC §2), so sale events are all redone on
    every run (they are few; see the model's description).

    The watermark is the newest change fct_events has already seen (its `source_changed_at`),
    never later than the build's start, minus `events_lookback_hours` for rows the replica
    lands late with an older `updatedAt`. When the source tables are not the ones the last
    run read (events_sources_replaced: dropped and recreated, or truncated, by a restore, a
    re-sync or `emg crm generate`), or their newest change is older than the table's, every
    lead is redone. The model's query and its pre-hook each read it before the pre-hook deletes
    anything, and the build's start is fixed, so both see the same instant.
-#}
{% macro events_watermark() -%}
    {#- a unit test has no `this`: it always runs the model as a full build -#}
    {%- if not execute or this is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set lookback = var('events_lookback_hours') | int -%}
    {%- set query -%}
        with

        seen as (
            select max(source_changed_at) as changed_at from {{ this }}
        ),

        sources as (
            select max(changed_at) as changed_at
            from (
                select max(updated_at) as changed_at from {{ ref('stg_crm__activity_logs') }}
                union all
                select max(updated_at) from {{ ref('stg_crm__pipeline_items') }}
                union all
                select max(updated_at) from {{ ref('stg_crm__users') }}
            ) as tables
        )

        select
            to_char(
                least(
                    seen.changed_at,
                    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
                ) - interval '{{ lookback }} hours',
                'YYYY-MM-DD HH24:MI:SS.US'
            ),
            seen.changed_at is null or sources.changed_at < seen.changed_at
        from seen
        cross join sources
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {%- if row[1] or events_sources_replaced() -%}
        {#- an empty table, sources gone back in time, or source tables replaced since the
            last run (a replica restored or re-synced, demo data generated anew): redo every
            lead -#}
        {{ return('0001-01-01 00:00:00') }}
    {%- endif -%}
    {{ return(row[0]) }}
{%- endmacro %}


{#- The lead ids whose events an incremental run redoes (a SQL query; see above). A changed
    CALL redoes only its own events (events_touched_calls): a lead's other calls do not
    depend on it. -#}
{% macro events_touched_leads(watermark) -%}
    {%- set since = "cast('" ~ watermark ~ "' as timestamp)" -%}
    select lead_id
    from {{ ref('int_pipeline_items_mapped_to_leads') }}
    where last_changed_at >= {{ since }} or last_changed_at is null
    union
    select items.lead_id
    from {{ ref('stg_crm__activity_logs') }} as logs
    inner join {{ ref('int_pipeline_items_mapped_to_leads') }} as items
        on logs.pipeline_item_id = items.pipeline_item_id
    where
        logs.activity_type = 'STATUS_CHANGE'
        and (logs.updated_at >= {{ since }} or logs.updated_at is null)
    union
    select events.lead_id
    from {{ this }} as events
    inner join {{ ref('stg_crm__users') }} as users
        on events.bdr_id = users.user_id
    where users.updated_at >= {{ since }} or users.updated_at is null
    union
    select items.lead_id
    from {{ ref('int_pipeline_items_mapped_to_leads') }} as items
    inner join {{ ref('stg_crm__users') }} as users
        on items.lead_owner_id = users.user_id
    where items.is_lead and (users.updated_at >= {{ since }} or users.updated_at is null)
{%- endmacro %}


{#- The CALL activities changed since the watermark (a SQL query): their events are redone. -#}
{% macro events_touched_calls(watermark) -%}
    {%- set since = "cast('" ~ watermark ~ "' as timestamp)" -%}
    select activity_log_id as call_id
    from {{ ref('stg_crm__activity_logs') }}
    where
        activity_type = 'CALL'
        and (updated_at >= {{ since }} or updated_at is null)
{%- endmacro %}


{#-
    The pre-hook of an incremental fct_events run. It writes the scope, the leads whose
    events the run redoes, and the changed calls (fct_events__calls) to temporary tables the
    model's query reads, then deletes their events and every sale event. The scope is the touched leads, and the leads of events whose
    source row has gone (a CALL or STATUS_CHANGE deleted from the replica or rejected, a lead
    no longer live), which no timestamp can announce: their other events may move (a lead's
    proposal falls back to its next PROPOSAL_* change).
-#}
{% macro events_scope_pre_hook() -%}
    {%- set watermark = events_watermark() -%}
    {%- if watermark is not none -%}
        create temporary table fct_events__scope on commit drop as
        {{ events_touched_leads(watermark) }}
        union
        select events.lead_id
        from {{ this }} as events
        where
            events.event_type in ('call_completed', 'call_scheduled', 'proposal')
            and not exists (
                select 1 from {{ ref('stg_crm__activity_logs') }} as logs
                where logs.activity_log_id = events.source_id
            )
        union
        select events.lead_id
        from {{ this }} as events
        where not exists (
            select 1 from {{ ref('int_pipeline_items_mapped_to_leads') }} as items
            where items.pipeline_item_id = events.lead_id and items.is_lead
        );
        create temporary table fct_events__calls on commit drop as
        {{ events_touched_calls(watermark) }};
        analyze fct_events__scope;
        analyze fct_events__calls;
        delete from {{ this }}
        where
            event_type = 'sale'
            or lead_id in (select lead_id from fct_events__scope)
            or (
                event_type in ('call_completed', 'call_scheduled')
                and source_id in (select call_id from fct_events__calls)
            )
    {%- endif -%}
{%- endmacro %}


{#-
    The identity of the tables fct_events reads from the CRM: each one's relation and its
    file node, which changes whenever the table is recreated or truncated (a replica
    restored or re-synced, demo data generated anew). The post-hook stores it in
    intermediate.fct_events_sources; the next incremental run compares.
-#}
{% macro events_source_identity() -%}
    {%- set tables = [
        source('crm', 'User'), source('crm', 'PipelineItem'), source('crm', 'Sublist'),
        source('crm', 'ActivityLog')
    ] -%}
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


{#- Whether the CRM tables are not the ones the last run of fct_events read. -#}
{% macro events_sources_replaced() -%}
    {%- set state = api.Relation.create(
        database=this.database, schema=generate_schema_name('intermediate', none),
        identifier='fct_events_sources'
    ) -%}
    {%- if load_relation(state) is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set query -%}
        select count(*)
        from {{ state }} as stored
        full outer join ({{ events_source_identity() }}) as current_tables
            on stored.relation = current_tables.relation
        where stored.filenode is distinct from current_tables.filenode
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0] > 0) }}
{%- endmacro %}


{#- fct_events' post-hook: remember the identity of the tables this run read. -#}
{% macro events_remember_sources() -%}
    {%- set state = this.database ~ '.' ~ generate_schema_name('intermediate', none)
        ~ '.fct_events_sources' -%}
    create schema if not exists {{ generate_schema_name('intermediate', none) }};
    create table if not exists {{ state }} (relation text primary key, filenode text);
    delete from {{ state }};
    insert into {{ state }} (relation, filenode) {{ events_source_identity() }}
{%- endmacro %}
