{{ config(indexes=[{'columns': ['month_start']}]) }}
-- One row per BDR per local month, zero-filled from the BDR's first month of data to the month
-- of as_of: the `bdr` scope of int_monthly_figures, counted by the same rules as the team's
-- team_monthly_kpis, against the BDR's monthly targets (pro-rated in the month of as_of).
-- (bdr_id, month_start) is the primary key, so BDR filters have its index already.
with

figures as (

    select * from {{ ref('int_monthly_figures') }}
    where scope = 'bdr'

),

final as (

    select
        bdr_id,
        month_start,
        calls_completed,
        agreements,
        agreements_target,
        agreements_target_to_date,
        {{ rounded('agreements / nullif(agreements_target_to_date, 0)', 4) }}
            as agreements_target_attainment,
        {{ traffic_light('agreements', 'agreements_target_to_date') }} as agreements_status,
        lists_out,
        lists_out_target,
        lists_out_target_to_date,
        {{ rounded('lists_out / nullif(lists_out_target_to_date, 0)', 4) }}
            as lists_out_target_attainment,
        {{ traffic_light('lists_out', 'lists_out_target_to_date') }} as lists_out_status,
        sales,
        sales_target,
        sales_target_to_date,
        revenue,
        performance_index,
        is_as_of_month
    from figures

)

select * from final
