-- Contract §8: nothing in raw data disappears. Every clean CALL activity reaches marts.fct_calls,
-- except a call on a soft-deleted item or on a partner contact whose lead is soft-deleted,
-- which counts nowhere (contract §4). A call whose item belongs to no lead is rejected in staging
-- (unmapped_lead), so it is in audit.rejected_rows, not here. Returns one row per clean call
-- that vanished between staging and the mart.
-- Shown as a check on marts.fct_calls in Dagster.
{{ config(tags=['nightly'], meta={'dagster': {'ref': {'name': 'fct_calls'}}}) }}

with

calls as (

    select * from {{ ref('stg_crm__activity_logs') }}
    where activity_type = 'CALL'

),

items as (

    select * from {{ ref('stg_crm__pipeline_items') }}

),

sublists as (

    select * from {{ ref('stg_crm__sublists') }}

),

fct_calls as (

    select * from {{ ref('fct_calls') }}

),

calls_with_items as (

    select
        calls.activity_log_id,
        calls.pipeline_item_id,
        items.sublist_id,
        coalesce(items.is_deleted or leads.is_deleted, false) as is_on_deleted_item
    from calls
    left join items
        on calls.pipeline_item_id = items.pipeline_item_id
    left join sublists
        on items.sublist_id = sublists.sublist_id
    left join items as leads
        on sublists.parent_item_id = leads.pipeline_item_id

),

final as (

    select
        calls_with_items.activity_log_id,
        calls_with_items.pipeline_item_id,
        calls_with_items.sublist_id
    from calls_with_items
    left join fct_calls
        on calls_with_items.activity_log_id = fct_calls.call_id
    where
        fct_calls.call_id is null
        and not calls_with_items.is_on_deleted_item

)

select * from final
