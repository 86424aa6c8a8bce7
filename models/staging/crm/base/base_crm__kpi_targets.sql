-- Every raw crm."KpiTarget" row once: renamed, typed, flagged, and given a
-- rejection_reason (null when the row is clean). stg_crm__kpi_targets keeps the clean rows;
-- audit.rejected_rows the others.
with

source as (

    select
        raw_targets.*,
        {{ row_as_json('raw_targets') }} as raw_row
    from {{ source('crm', 'KpiTarget') }} as raw_targets

),

renamed as (

    select
        ----------  ids
        id as kpi_target_id,
        {{ adapter.quote('userId') }} as user_id,

        ----------  enums
        {{ clean_enum('metric') }} as metric,
        {{ clean_enum('period') }} as period,

        ----------  numerics
        {{ adapter.quote('targetValue') }} as target_value,

        ----------  dates
        cast({{ adapter.quote('effectiveFrom') }} as date) as effective_from_date,
        cast({{ adapter.quote('effectiveTo') }} as date) as effective_to_date,

        ----------  the raw row
        raw_row,
        row_number() over (
            partition by id
            order by md5(cast(raw_row as {{ sql_type('text') }}))
        ) as source_row_rank

    from source

),

flagged as (

    select
        *,
        user_id is null as is_team_target,

        ----------  data-quality flags
        coalesce(
            metric not in {{ crm_enum_values('KpiMetric') }},
            false
        ) as has_unknown_metric,
        coalesce(period not in {{ crm_enum_values('KpiPeriod') }}, false) as has_unknown_period,

        ----------  why the row is rejected (null: it is clean)
        case
            when kpi_target_id is null then 'missing_id'
            when source_row_rank > 1 then 'duplicate'
            when metric is null then 'missing_metric'
            when period is null then 'missing_period'
            when target_value is null then 'missing_target_value'
            -- a negative target cannot be met or missed: it would judge every period green
            when target_value < 0 then 'negative_target_value'
        end as rejection_reason

    from renamed

)

select * from flagged
