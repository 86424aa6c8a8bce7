with

kpi_targets as (

    select * from {{ ref('base_crm__kpi_targets') }}
    where rejection_reason is null

),

final as (

    select
        kpi_target_id,
        user_id,
        metric,
        period,
        target_value,
        effective_from_date,
        effective_to_date,
        is_team_target,
        has_unknown_metric,
        has_unknown_period

    from kpi_targets

)

select * from final
