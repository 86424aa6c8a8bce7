{#-
    fct_events' incremental scope. fct_events holds every event whatever `as_of` is, so an
    hourly run only has to redo the events the last hour's changes can have moved: those of
    the leads "touched" since the watermark. A lead is touched when its row, one of its
    partner contacts, or a CALL / STATUS_CHANGE activity on them changed (their `updatedAt`),
    or when a user who owns some of its events, or who owns the lead, changed. Sales carry no
    change timestamp the warehouse may require (SPEC §2): a run redoes the sales that differ
    from their stored events (new, restated, gone) and the sales of touched leads
    (events_touched_sales).

    The watermark (changes_watermark, macros/incremental/source_changes.sql) is the newest
    change fct_events has already seen (its `source_changed_at`), less `lookback_hours`;
    every lead is redone when the CRM tables were replaced or went back in time. The model's
    query and its pre-hook each read it before the pre-hook deletes anything, and the
    build's start is fixed, so both see the same instant.
-#}
{% macro events_watermark() -%}
    {%- if not incremental_run() -%}{{ return(none) }}{%- endif -%}
    {{ return(changes_watermark(
        'select source_changed_at from ' ~ this,
        'select max(updated_at) from ' ~ ref('stg_crm__activity_logs')
            ~ ' union all select max(updated_at) from ' ~ ref('stg_crm__pipeline_items')
            ~ ' union all select max(updated_at) from ' ~ ref('stg_crm__users'),
        events_source_tables()
    )) }}
{%- endmacro %}


{#- The CRM tables fct_events reads, through staging. -#}
{% macro events_source_tables() -%}
    {{ return([
        source('crm', 'User'), source('crm', 'PipelineItem'), source('crm', 'Sublist'),
        source('crm', 'ActivityLog')
    ]) }}
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
    The pre-hook of an incremental fct_events run. It writes the scope, the leads whose
    events the run redoes, the changed calls (fct_events__calls) and the sales to redo
    (fct_events__sales) to temporary tables the model's query reads, then deletes their
    events. The scope is the touched leads, and the leads of events whose
    source row has gone (a CALL or STATUS_CHANGE deleted from the replica or rejected, a lead
    no longer live), which no timestamp can announce: their other events may move (a lead's
    proposal falls back to its next PROPOSAL_* change).
-#}
{% macro events_scope_pre_hook() -%}
    {%- set watermark = events_watermark() -%}
    {%- if watermark is not none and not scoped(watermark) -%}
        delete from {{ this }}
    {%- elif scoped(watermark) -%}
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
        create temporary table fct_events__sales on commit drop as
        {{ events_touched_sales() }};
        analyze fct_events__scope;
        analyze fct_events__calls;
        analyze fct_events__sales;
        delete from {{ this }}
        where
            lead_id in (select lead_id from fct_events__scope)
            or (
                event_type = 'sale'
                and source_id in (select sale_id from fct_events__sales)
            )
            or (
                event_type in ('call_completed', 'call_scheduled')
                and source_id in (select call_id from fct_events__calls)
            )
    {%- endif -%}
{%- endmacro %}
