{#-
    fct_events' incremental scope. fct_events holds every event whatever `as_of` is, so an
    hourly run only has to redo the events the changes since its last run can have moved.
    Staging says what changed (staged_changes, macros/incremental/source_changes.sql): the
    activity logs and pipeline items it redid, whether their rows changed, appeared, left
    the replica or changed rejection. A run redoes:

    - the events of the leads touched: a lead whose row changed, the lead of a changed
      partner contact (the one it belongs to now, and the one its stored events belong to),
      the lead of a changed STATUS_CHANGE (its proposal, and an agreement or list out
      backfilled from status changes, or its loss, may move), and the lead of a stored
      proposal, agreement, list out or loss whose activity changed;
    - the events of a changed CALL (not its lead's other events: they do not depend on it);
    - the events of users changed since the newest change of a user the last run saw, less
      `lookback_hours` (the users table is small and rebuilt whole: it has no change log);
    - the sales that differ from their stored events, and those of touched leads
      (events_touched_sales): sales carry no change timestamp the warehouse may require.

    Every event is redone when staging redid a whole table, when the users' newest change is
    older than the last run's (a replica replaced by older data), when the users table was
    replaced, or when fct_events.sql itself changed (events_code_checksum). The model's query and its pre-hook each read the watermark before the pre-hook
    deletes anything, so both see the same one.
-#}
{% macro events_watermark() -%}
    {%- if not incremental_run() -%}{{ return(none) }}{%- endif -%}
    {%- set users_seen = remembered('users_changed_at') -%}
    {%- set query -%}
        select max(updated_at) < cast('{{ users_seen }}' as timestamp)
        from {{ ref('stg_crm__users') }}
    {%- endset -%}
    {{ return(staged_watermark(
        staged_sources(),
        redo_all=users_seen is none
            or run_query(query).columns[0].values()[0]
            or sources_replaced([source('crm', 'User')])
            or remembered('code_checksum') != events_code_checksum()
    )) }}
{%- endmacro %}


{#- What fct_events keeps for its next run: the users' newest change, never one later than the
    build's start (a user changed later than that is redone every run). -#}
{% macro events_remembered_values() -%}
    {%- if not execute or target.type != 'postgres' -%}{{ return({}) }}{%- endif -%}
    {%- set query -%}
        select to_char(max(updated_at), 'YYYY-MM-DD HH24:MI:SS.US')
        from {{ ref('stg_crm__users') }}
        where updated_at <= {{ build_started_at() }}
    {%- endset -%}
    {%- set newest = run_query(query).columns[0].values()[0] -%}
    {{ return({
        'users_changed_at': newest or start_of_time(),
        'code_checksum': events_code_checksum(),
    }) }}
{%- endmacro %}


{#- The md5 of fct_events' own SQL: when it changed (a new kind of event, a rule redefined), the
    events stored by the old code are stale, so the next run redoes every one. -#}
{% macro events_code_checksum() -%}
    {{ return(local_md5(model.raw_code)) }}
{%- endmacro %}


{#- The lead ids whose events an incremental run redoes (a SQL query; see above), once
    fct_events__items and fct_events__calls hold the items and activities staged since. -#}
{% macro events_touched_leads() -%}
    {%- set users_since -%}
        cast('{{ remembered('users_changed_at') }}' as timestamp)
        - interval '{{ var("lookback_hours") | int }} hours'
    {%- endset -%}
    select changed.id as lead_id
    from fct_events__items as changed
    union
    select items.lead_id
    from {{ ref('int_pipeline_items_mapped_to_leads') }} as items
    where items.pipeline_item_id in (select changed.id from fct_events__items as changed)
    union
    select events.lead_id
    from {{ this }} as events
    where events.pipeline_item_id in (select changed.id from fct_events__items as changed)
    union
    select logs.pipeline_item_id
    from {{ ref('stg_crm__activity_logs') }} as logs
    where
        logs.activity_log_id in (select changed.call_id from fct_events__calls as changed)
        and logs.activity_type = 'STATUS_CHANGE'
    union
    select events.lead_id
    from {{ this }} as events
    where events.event_id in (
        select kind.event_type || ':' || changed.call_id
        from fct_events__calls as changed
        cross join (values ('proposal'), ('agreement'), ('list_out'), ('lost')) as kind (event_type)
    )
    union
    select events.lead_id
    from {{ this }} as events
    inner join {{ ref('stg_crm__users') }} as users
        on events.bdr_id = users.user_id
    where users.updated_at >= {{ users_since }} or users.updated_at is null
{%- endmacro %}


{#- The sales an incremental run redoes (a SQL query, after fct_events__scope exists): those
    whose row differs from their stored event (new, restated, moved to another item), those
    stored that are gone (deleted, rejected, no longer positive), and those of touched leads,
    whether they belong to them now or did when stored. -#}
{% macro events_touched_sales() -%}
    select changed.sale_id
    from (
        select sale_id, pipeline_item_id, sold_at, amount, currency, is_other_currency
        from {{ ref('stg_sales_ext__sales') }}
        where amount > 0
        except
        select source_id, pipeline_item_id, occurred_at, amount, currency, is_other_currency
        from {{ this }}
        where event_type = 'sale'
    ) as changed
    union
    select events.source_id
    from {{ this }} as events
    where
        events.event_type = 'sale'
        and (
            events.lead_id in (select scope.lead_id from fct_events__scope as scope)
            or not exists (
                select 1 from {{ ref('stg_sales_ext__sales') }} as sales
                where sales.sale_id = events.source_id and sales.amount > 0
            )
        )
    union
    select sales.sale_id
    from {{ ref('stg_sales_ext__sales') }} as sales
    inner join {{ ref('int_pipeline_items_mapped_to_leads') }} as items
        on sales.pipeline_item_id = items.pipeline_item_id
    where items.lead_id in (select scope.lead_id from fct_events__scope as scope)
{%- endmacro %}


{#-
    The pre-hook of an incremental fct_events run. It writes the items and activities staged
    since the last run (fct_events__items, fct_events__calls: the CALLs among them are the
    changed calls), the scope, the leads whose events the run redoes (fct_events__scope),
    their items (fct_events__scope_items: the leads and their partner contacts) and the
    activities to read again (fct_events__scope_calls: those on these items and the changed
    ones), and the sales to redo (fct_events__sales) to temporary tables the model's query
    reads, then deletes their events.
-#}
{% macro events_scope_pre_hook() -%}
    {%- set watermark = events_watermark() -%}
    {%- if watermark is not none and not scoped(watermark) -%}
        {{ log_every_event_changed() }};
        {{ empty_in_place() }}
    {%- elif watermark is none and execute and this is not none -%}
        {{ log_every_event_changed() }}
    {%- elif scoped(watermark) -%}
        create temporary table fct_events__items on commit drop as
        {{ staged_ids(source('crm', 'PipelineItem'), watermark) }};
        create temporary table fct_events__calls on commit drop as
        select changed.id as call_id
        from ({{ staged_ids(source('crm', 'ActivityLog'), watermark) }}) as changed;
        analyze fct_events__items;
        analyze fct_events__calls;
        create temporary table fct_events__scope on commit drop as
        {{ events_touched_leads() }};
        analyze fct_events__scope;
        create temporary table fct_events__scope_items on commit drop as
        select scope.lead_id as pipeline_item_id
        from fct_events__scope as scope
        union
        select contacts.pipeline_item_id
        from {{ ref('stg_crm__pipeline_items') }} as contacts
        inner join {{ ref('stg_crm__sublists') }} as sublists
            on contacts.sublist_id = sublists.sublist_id
        where sublists.parent_item_id in (select scope.lead_id from fct_events__scope as scope);
        analyze fct_events__scope_items;
        create temporary table fct_events__scope_calls on commit drop as
        select logs.activity_log_id as call_id
        from {{ ref('stg_crm__activity_logs') }} as logs
        where logs.pipeline_item_id in (
            select scope.pipeline_item_id from fct_events__scope_items as scope
        )
        union
        select changed.call_id from fct_events__calls as changed;
        analyze fct_events__scope_calls;
        create temporary table fct_events__sales on commit drop as
        {{ events_touched_sales() }};
        analyze fct_events__sales;
        delete from {{ this }}
        where lead_id in (select scope.lead_id from fct_events__scope as scope);
        delete from {{ this }}
        where event_id in (
            select 'sale:' || changed.sale_id from fct_events__sales as changed
            union all
            select kind.event_type || ':' || changed.call_id
            from fct_events__calls as changed
            cross join (values ('call_completed'), ('call_scheduled')) as kind (event_type)
        )
    {%- endif -%}
{%- endmacro %}
