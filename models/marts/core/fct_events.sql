-- depends_on: {{ ref('stg_crm__sublists') }}
{%- set watermark = events_watermark() -%}
{{
    config(
        materialized=('incremental' if target.type == 'postgres' else 'table'),
        full_refresh=false,
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=["{{ events_scope_pre_hook() }}"],
        post_hook=[
            "{{ remember_staged([source('crm', 'User')], events_remembered_values()) }}",
            "{{ log_event_changes_triggers() }}",
        ],
        indexes=[
            {'columns': ['event_id'], 'unique': True},
            {'columns': ['lead_id']},
            {'columns': ['pipeline_item_id']},
            {'columns': ['event_type', 'occurred_at']},
            {'columns': ['occurred_date']},
            {'columns': ['bdr_id', 'occurred_date']},
        ],
    )
}}
-- One row per countable event (contract §4), whatever as_of is: every completed call, every
-- scheduled call (the as-of layer reads "upcoming" from it), every proposal, agreement, list
-- out, loss (a LOST lead's last move to LOST) and valid sale, with its owner, its lead and its
-- local calendar. The marts that count events group this table (filtered to as_of); none
-- derives an event again. Which metric counts which event, and its weight in the performance
-- index, is the seed metric_catalogue.
-- Incremental on what staging changed (macros/metrics/events.sql): a run redoes the events
-- of the leads touched since the last one, the changed calls, and the sales that changed.
with

leads as (

    select * from {{ ref('stg_crm__pipeline_items') }}
    {% if scoped(watermark) %}
    where
        is_lead
        and not is_deleted
        and pipeline_item_id in (select scope.lead_id from fct_events__scope as scope)
    {% else %}
    where is_lead and not is_deleted
    {% endif %}

),

users as (

    select * from {{ ref('stg_crm__users') }}

),

activity_logs as (

    select * from {{ ref('stg_crm__activity_logs') }}
    where activity_type in ('CALL', 'STATUS_CHANGE')

),

calls as (

    select * from {{ ref('int_calls_attributed') }}
    {% if scoped(watermark) %}
    where call_id in (select scope.call_id from fct_events__scope_calls as scope)
    {% endif %}

),

all_items as (

    select * from {{ ref('int_pipeline_items_mapped_to_leads') }}

),

sales as (

    select * from {{ ref('stg_sales_ext__sales') }}
    {% if scoped(watermark) %}
    where
        amount > 0
        and sale_id in (select changed.sale_id from fct_events__sales as changed)
    {% else %}
    where amount > 0
    {% endif %}

),

-- every lead's status changes to a milestone's statuses (contract §4): any PROPOSAL_* status is
-- a proposal, any AGREEMENT_* an agreement, PARTNER_LIST_SENT a list out; dated by the log's
-- completedDate, else its createdAt
milestone_logs as (

    select
        case
            when activity_logs.to_status like 'PROPOSAL\_%' then 'proposal'
            when activity_logs.to_status like 'AGREEMENT\_%' then 'agreement'
            else 'list_out'
        end as milestone,
        activity_logs.activity_log_id as source_id,
        leads.pipeline_item_id as lead_id,
        coalesce(activity_logs.completed_at, activity_logs.created_at) as occurred_at,
        activity_logs.updated_at as source_changed_at
    from activity_logs
    inner join leads
        on activity_logs.pipeline_item_id = leads.pipeline_item_id
    where
        activity_logs.activity_type = 'STATUS_CHANGE'
        and (
            activity_logs.to_status like 'PROPOSAL\_%'
            or activity_logs.to_status like 'AGREEMENT\_%'
            or activity_logs.to_status = 'PARTNER_LIST_SENT'
        )
        and coalesce(activity_logs.completed_at, activity_logs.created_at) is not null

),

-- a lead's first move to each milestone
first_milestone_logs as (

    select
        numbered.milestone,
        numbered.source_id,
        numbered.lead_id,
        numbered.occurred_at,
        numbered.source_changed_at
    from (
        select
            milestone_logs.*,
            row_number() over (
                partition by milestone_logs.lead_id, milestone_logs.milestone
                order by milestone_logs.occurred_at, milestone_logs.source_id
            ) as move_number
        from milestone_logs
    ) as numbered
    where numbered.move_number = 1

),

-- each lead's agreement and list out as its date columns have them
milestone_columns as (

    select
        kinds.milestone,
        leads.pipeline_item_id as lead_id,
        leads.assigned_to_id as bdr_id,
        leads.updated_at,
        case kinds.milestone
            when 'agreement' then leads.agreement_at
            else leads.partner_list_sent_at
        end as column_at
    from leads
    cross join (values ('agreement'), ('list_out')) as kinds (milestone)

),

-- a lead's agreement and list out: its date column, else (v2: leads older than the columns,
-- the backfill) its first status change to the stage, which is then the event's source
backfilled_milestones as (

    select
        milestone_columns.milestone,
        case
            when milestone_columns.column_at is not null then milestone_columns.lead_id
            else status_logs.source_id
        end as source_id,
        milestone_columns.lead_id,
        milestone_columns.bdr_id,
        coalesce(milestone_columns.column_at, status_logs.occurred_at) as occurred_at,
        greatest(milestone_columns.updated_at, status_logs.source_changed_at)
            as source_changed_at
    from milestone_columns
    left join first_milestone_logs as status_logs
        on
            milestone_columns.lead_id = status_logs.lead_id
            and milestone_columns.milestone = status_logs.milestone
    where coalesce(milestone_columns.column_at, status_logs.occurred_at) is not null

),

-- a lead's proposal: its first move to a PROPOSAL_* status, else (v2) its agreement, at the
-- agreement's time and from the agreement's source
proposals as (

    select
        coalesce(status_logs.source_id, agreements.source_id) as source_id,
        leads.pipeline_item_id as lead_id,
        leads.assigned_to_id as bdr_id,
        coalesce(status_logs.occurred_at, agreements.occurred_at) as occurred_at,
        greatest(
            leads.updated_at,
            coalesce(status_logs.source_changed_at, agreements.source_changed_at)
        ) as source_changed_at
    from leads
    left join first_milestone_logs as status_logs
        on
            leads.pipeline_item_id = status_logs.lead_id
            and status_logs.milestone = 'proposal'
    left join backfilled_milestones as agreements
        on
            leads.pipeline_item_id = agreements.lead_id
            and agreements.milestone = 'agreement'
    where coalesce(status_logs.source_id, agreements.source_id) is not null

),

-- a lead lost (its current status LOST, contract §2): its last move to LOST, dated by that
-- log's completedDate, else its createdAt. A LOST lead without such a log has no known date
-- and no event (dim_leads.is_lost still says it is lost).
losses as (

    select
        numbered.source_id,
        numbered.lead_id,
        numbered.bdr_id,
        numbered.occurred_at,
        numbered.source_changed_at
    from (
        select
            activity_logs.activity_log_id as source_id,
            leads.pipeline_item_id as lead_id,
            leads.assigned_to_id as bdr_id,
            coalesce(activity_logs.completed_at, activity_logs.created_at) as occurred_at,
            greatest(leads.updated_at, activity_logs.updated_at) as source_changed_at,
            row_number() over (
                partition by leads.pipeline_item_id
                order by
                    coalesce(activity_logs.completed_at, activity_logs.created_at) desc,
                    activity_logs.activity_log_id desc
            ) as move_number
        from leads
        inner join activity_logs
            on leads.pipeline_item_id = activity_logs.pipeline_item_id
        where
            leads.status = 'LOST'
            and activity_logs.activity_type = 'STATUS_CHANGE'
            and activity_logs.to_status = 'LOST'
            and coalesce(activity_logs.completed_at, activity_logs.created_at) is not null
    ) as numbered
    where numbered.move_number = 1

),

-- every event with the lead it belongs to and its owner's user id
events as (

    select
        'call_completed' as event_type,
        call_id as source_id,
        pipeline_item_id,
        lead_id,
        bdr_id,
        completed_at as occurred_at,
        cast(null as timestamp) as ends_at,
        cast(null as {{ sql_type('numeric') }}) as amount,
        cast(null as {{ sql_type('text') }}) as currency,
        cast(null as boolean) as is_other_currency,
        last_changed_at as source_changed_at
    from calls
    where is_completion
    union all
    -- a scheduled call is upcoming while its date is ahead and it is not completed (ends_at);
    -- cancelled and rescheduled calls never are
    select
        'call_scheduled' as event_type,
        call_id as source_id,
        pipeline_item_id,
        lead_id,
        bdr_id,
        scheduled_at as occurred_at,
        case when is_completion then completed_at end as ends_at,
        null as amount,
        null as currency,
        null as is_other_currency,
        last_changed_at as source_changed_at
    from calls
    where
        scheduled_at is not null
        and (outcome is null or outcome not in ('CANCELLED', 'RESCHEDULED'))
    union all
    select
        'proposal' as event_type,
        source_id,
        lead_id as pipeline_item_id,
        lead_id,
        bdr_id,
        occurred_at,
        null as ends_at,
        null as amount,
        null as currency,
        null as is_other_currency,
        source_changed_at
    from proposals
    union all
    select
        milestone as event_type,
        source_id,
        lead_id as pipeline_item_id,
        lead_id,
        bdr_id,
        occurred_at,
        null as ends_at,
        null as amount,
        null as currency,
        null as is_other_currency,
        source_changed_at
    from backfilled_milestones
    union all
    select
        'lost' as event_type,
        source_id,
        lead_id as pipeline_item_id,
        lead_id,
        bdr_id,
        occurred_at,
        null as ends_at,
        null as amount,
        null as currency,
        null as is_other_currency,
        source_changed_at
    from losses
    union all
    -- a sale belongs to the lead it comes from (a partner contact's lead, or the lead)
    select
        'sale' as event_type,
        sales.sale_id as source_id,
        sales.pipeline_item_id,
        all_items.lead_id,
        all_items.lead_owner_id as bdr_id,
        sales.sold_at as occurred_at,
        null as ends_at,
        sales.amount,
        sales.currency,
        sales.is_other_currency,
        all_items.last_changed_at as source_changed_at
    from sales
    inner join all_items
        on sales.pipeline_item_id = all_items.pipeline_item_id

),

-- the lead and the owner every dashboard filters or groups by
final as (

    select
        events.event_type || ':' || events.source_id as event_id,
        events.event_type,
        events.source_id,
        events.pipeline_item_id,
        events.lead_id,
        lead_rows.item_name as lead_name,
        lead_rows.category,
        events.bdr_id,
        users.user_name as bdr_name,
        coalesce(users.is_bdr, false) as is_bdr,
        users.team,
        events.occurred_at,
        {{ local_date('events.occurred_at') }} as occurred_date,
        {{ local_week('events.occurred_at') }} as occurred_week,
        {{ local_month('events.occurred_at') }} as occurred_month,
        {{ local_iso_weekday('events.occurred_at') }} as iso_weekday,
        {{ local_hour('events.occurred_at') }} as hour_of_day,
        events.ends_at,
        cast(events.amount as numeric(12, 2)) as amount,
        events.currency,
        events.is_other_currency,
        greatest(events.source_changed_at, lead_rows.updated_at, users.updated_at)
            as source_changed_at
    from events
    inner join {{ ref('stg_crm__pipeline_items') }} as lead_rows
        on events.lead_id = lead_rows.pipeline_item_id
    left join users
        on events.bdr_id = users.user_id

)

select * from final
