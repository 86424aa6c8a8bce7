{{ config(indexes=[{'columns': ['bdr_id'], 'unique': True}]) }}
-- One row per user with role BDR (contract §7), active or not.
with

users as (

    select * from {{ ref('stg_crm__users') }}
    where is_bdr

),

final as (

    select
        user_id as bdr_id,
        user_name as bdr_name,
        team,
        is_active,
        email,
        created_at
    from users

)

select * from final
