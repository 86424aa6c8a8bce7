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
        created_at

    from sublists

)

select * from final
