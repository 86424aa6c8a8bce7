with

users as (

    select * from {{ ref('base_crm__users') }}
    where rejection_reason is null

),

final as (

    select
        user_id,
        user_name,
        email,
        user_role,
        team,
        is_active,
        is_bdr,
        has_unknown_role,
        created_at,
        updated_at,
        has_implausible_timestamp

    from users

)

select * from final
