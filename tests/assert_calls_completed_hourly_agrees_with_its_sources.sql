-- calls_completed_hourly holds every completed call of metric_events once, and its BDR rows
-- summed over categories are call_heatmap's cells: one row per disagreement.
with

events_total as (

    select count(*) as calls_completed
    from {{ ref('metric_events') }}
    where metric = 'calls_completed'

),

hourly_total as (

    select coalesce(sum(calls_completed), 0) as calls_completed
    from {{ ref('calls_completed_hourly') }}

),

hourly_bdr_cells as (

    select
        bdr_id,
        call_date,
        hour_of_day,
        sum(calls_completed) as calls_completed
    from {{ ref('calls_completed_hourly') }}
    where is_bdr
    group by 1, 2, 3

),

heatmap_cells as (

    select
        bdr_id,
        call_date,
        hour_of_day,
        calls_completed
    from {{ ref('call_heatmap') }}

),

final as (

    select
        'total' as what,
        cast(null as {{ sql_type('text') }}) as bdr_id,
        cast(null as date) as call_date,
        cast(null as integer) as hour_of_day,
        events_total.calls_completed as expected,
        hourly_total.calls_completed as found
    from events_total
    cross join hourly_total
    where events_total.calls_completed <> hourly_total.calls_completed

    union all

    select
        'heatmap cell' as what,
        coalesce(heatmap_cells.bdr_id, hourly_bdr_cells.bdr_id) as bdr_id,
        coalesce(heatmap_cells.call_date, hourly_bdr_cells.call_date) as call_date,
        coalesce(heatmap_cells.hour_of_day, hourly_bdr_cells.hour_of_day) as hour_of_day,
        heatmap_cells.calls_completed as expected,
        hourly_bdr_cells.calls_completed as found
    from heatmap_cells
    full outer join hourly_bdr_cells
        on
            heatmap_cells.bdr_id = hourly_bdr_cells.bdr_id
            and heatmap_cells.call_date = hourly_bdr_cells.call_date
            and heatmap_cells.hour_of_day = hourly_bdr_cells.hour_of_day
    where heatmap_cells.calls_completed is distinct from hourly_bdr_cells.calls_completed

)

select * from final
