with

sublists as (

    select * from {{ ref('base_crm__sublists') }}
    where rejection_reason is null

),

final as (

    select
        sublist_id,
        parent_item_id,
        sublist_name,
        created_at,
        has_implausible_timestamp

    from sublists

)

select * from final
