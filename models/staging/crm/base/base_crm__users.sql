-- Every raw crm."User" row once: renamed, typed, repaired, flagged, and given a rejection_reason
-- (null when the row is clean). stg_crm__users keeps the clean rows; audit.rejected_rows
-- the others.
with

source as (

    select
        raw_users.*,
        {{ row_as_json('raw_users') }} as raw_row
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
        {{ adapter.quote('isActive') }} as is_active,

        ----------  timestamps (as replicated; repaired below)
        cast({{ adapter.quote('createdAt') }} as timestamp) as raw_created_at,
        cast({{ adapter.quote('updatedAt') }} as timestamp) as raw_updated_at,

        ----------  the raw row
        raw_row,
        row_number() over (
            partition by id
            order by
                {{ plausible_or_null(adapter.quote('updatedAt')) }}
                desc nulls last,
                md5(cast(raw_row as {{ sql_type('text') }}))
        ) as source_row_rank

    from source

),

-- A user's dates are not required (nor used by any metric): one outside the plausible window
-- (macros/time/plausible_timestamp.sql) is nulled and flagged, never a reason to lose a BDR.
anchored as (

    select
        *,
        {{ plausible_or_null('raw_updated_at') }}
            as updated_at

    from renamed

),

flagged as (

    select
        *,
        {{ plausible_or_null('raw_created_at', 'updated_at') }}
            as created_at,
        user_role = 'BDR' as is_bdr,
        coalesce(
            user_role not in {{ crm_enum_values('Role') }},
            false
        ) as has_unknown_role,
        coalesce(
            not {{ plausible_timestamp('raw_created_at', 'updated_at') }}
            or not {{ plausible_timestamp('raw_updated_at') }},
            false
        ) as has_implausible_timestamp,
        case
            when user_id is null then 'missing_id'
            when source_row_rank > 1 then 'duplicate'
            when user_role is null then 'missing_role'
        end as rejection_reason

    from anchored

)

select * from flagged
