{{ config(materialized='table') }}
-- When each owner's data starts: the earliest of a call they logged (created, scheduled or
-- completed), a lead assigned to them (created), or an event of theirs (fct_events), at or
-- before as_of. One row per owner; a lead or event with no owner gives the row whose bdr_id
-- is null. The one definition of "first data": the per-BDR spines start at a BDR's row, the
-- team's marts at the earliest row of all.
with

calls as (

    select * from {{ ref('fct_calls') }}

),

leads as (

    select * from {{ ref('stg_crm__pipeline_items') }}
    where is_lead and not is_deleted

),

events as (

    select * from {{ ref('fct_events') }}
    where event_type <> 'call_scheduled'

),

moments as (

    select
        bdr_id,
        least(created_at, scheduled_at, completed_at) as first_at
    from calls
    union all
    select
        assigned_to_id as bdr_id,
        created_at as first_at
    from leads
    union all
    select
        bdr_id,
        occurred_at as first_at
    from events

),

final as (

    select
        bdr_id,
        min(first_at) as first_data_at
    from moments
    where first_at <= {{ as_of() }}
    group by 1

)

select * from final
