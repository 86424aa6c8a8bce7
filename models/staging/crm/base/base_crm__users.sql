-- Every raw crm."User" row once: renamed, typed, flagged, and given a rejection_reason
-- (null when the row is clean). stg_crm__users keeps the clean rows; audit.rejected_rows
-- the others.
with

source as (

    select
        raw_users.*,
        to_jsonb(raw_users) as raw_row
    from {{ source('crm', 'User') }} as raw_users

),

renamed as (

    select
        ----------  ids
        id as user_id,

        ----------  text
        nullif(trim(name), '') as user_name,
        lower(nullif(trim(email), '')) as email,
        {{ clean_enum('role') }} as user_role,
        nullif(trim(team), '') as team,

        ----------  booleans
        "isActive" as is_active,

        ----------  timestamps
        cast("createdAt" as timestamp) as created_at,
        cast("updatedAt" as timestamp) as updated_at,

        ----------  the raw row
        raw_row,
        row_number() over (
            partition by id
            order by "updatedAt" desc nulls last, md5(cast(raw_row as text))
        ) as source_row_rank

    from source

),

flagged as (

    select
        *,
        user_role = 'BDR' as is_bdr,
        coalesce(
            user_role not in ('BDR', 'LEAD_GEN', 'MANAGER', 'ADMIN'),
            false
        ) as has_unknown_role,
        case
            when user_id is null then 'missing_id'
            when source_row_rank > 1 then 'duplicate'
            when user_role is null then 'missing_role'
        end as rejection_reason

    from renamed

)

select * from flagged
