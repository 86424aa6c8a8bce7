{{
    config(
        indexes=[
            {'columns': ['bdr_id']},
            {'columns': ['time_window', 'metric']},
        ],
    )
}}
-- The figures "as of now" that the scorecard, the forecast and the alert rules read (contract §5,
-- §6): one row per subject (the team, and every BDR) x time window x metric, zero-filled.
-- Team figures count every user's activity (its pipeline figures are pipeline_health's); a
-- BDR's count their own, by the same definitions.
with

bdrs as (

    select * from {{ ref('dim_bdrs') }}

),

metric_events as (

    select * from {{ ref('metric_events') }}
    where
        metric in ('calls_completed', 'calls_upcoming', 'agreements', 'lists_out', 'sales')
        -- no window below starts earlier than last week's or last month's first day
        and occurred_date >= least(
            {{ local_week(as_of()) }} - 7,
            cast({{ local_month(as_of()) }} - interval '1 month' as date)
        )

),

leads as (

    select * from {{ ref('int_leads_milestones') }}

),

-- the team's pipeline figures are pipeline_health's, the one place they are counted
pipeline_health as (

    select * from {{ ref('pipeline_health') }}

),

team_pipeline as (

    -- a figure a row (pipeline_health has one row; a union, as a lateral join on values that
    -- read the outer row is PostgreSQL's alone)
    select
        'next_week' as time_window,
        'calls_upcoming' as metric,
        upcoming_calls_next_week as metric_value
    from pipeline_health
    union all
    select
        'next_7_days' as time_window,
        'calls_upcoming' as metric,
        upcoming_calls_next_7_days as metric_value
    from pipeline_health
    union all
    select
        'next_7_days' as time_window,
        'partner_lists_due' as metric,
        partner_lists_due_next_7_days as metric_value
    from pipeline_health
    union all
    select
        'as_of' as time_window,
        'overdue_partner_lists' as metric,
        overdue_partner_lists as metric_value
    from pipeline_health
    union all
    select
        'as_of' as time_window,
        'outstanding_proposals' as metric,
        outstanding_proposals as metric_value
    from pipeline_health

),

-- window_end_at cuts a window's last day at an instant: last week's and last month's windows
-- end at the same local time as as_of, a week or a month earlier (the KPI cards' comparison)
windows as (

    select
        'this_week' as time_window,
        {{ local_week(as_of()) }} as window_start_date,
        {{ local_date(as_of()) }} as window_end_date,
        cast(null as timestamp) as window_end_at
    union all
    select
        'this_month' as time_window,
        {{ local_month(as_of()) }} as window_start_date,
        {{ local_date(as_of()) }} as window_end_date,
        cast(null as timestamp) as window_end_at
    union all
    select
        'last_week' as time_window,
        {{ local_week(as_of()) }} - 7 as window_start_date,
        {{ local_date(local_time_earlier(as_of(), '7 days')) }} as window_end_date,
        {{ local_time_earlier(as_of(), '7 days') }} as window_end_at
    union all
    select
        'last_month' as time_window,
        cast({{ local_month(as_of()) }} - interval '1 month' as date) as window_start_date,
        {{ local_date(local_time_earlier(as_of(), '1 month')) }} as window_end_date,
        {{ local_time_earlier(as_of(), '1 month') }} as window_end_at
    union all
    select
        'next_week' as time_window,
        {{ local_week(as_of()) }} + 7 as window_start_date,
        {{ local_week(as_of()) }} + 13 as window_end_date,
        cast(null as timestamp) as window_end_at
    union all
    select
        'next_7_days' as time_window,
        {{ local_date(as_of()) }} as window_start_date,
        {{ local_date(as_of() ~ " + interval '7 days'") }} as window_end_date,
        cast(null as timestamp) as window_end_at
    union all
    select
        'as_of' as time_window,
        {{ local_date(as_of()) }} as window_start_date,
        {{ local_date(as_of()) }} as window_end_date,
        cast(null as timestamp) as window_end_at

),

-- which metric each window carries
window_metrics as (

    select
        windows.*,
        metrics.metric
    from windows
    inner join (
        values
        ('this_week', 'calls_completed'),
        ('this_week', 'agreements'),
        ('this_week', 'lists_out'),
        ('this_week', 'sales'),
        ('this_week', 'performance_index'),
        ('this_month', 'calls_completed'),
        ('this_month', 'agreements'),
        ('this_month', 'lists_out'),
        ('this_month', 'sales'),
        ('this_month', 'performance_index'),
        ('last_week', 'calls_completed'),
        ('last_week', 'agreements'),
        ('last_week', 'lists_out'),
        ('last_week', 'sales'),
        ('last_week', 'performance_index'),
        ('last_month', 'calls_completed'),
        ('last_month', 'agreements'),
        ('last_month', 'lists_out'),
        ('last_month', 'sales'),
        ('last_month', 'performance_index'),
        ('next_week', 'calls_upcoming'),
        ('next_7_days', 'calls_upcoming'),
        ('next_7_days', 'partner_lists_due'),
        ('as_of', 'overdue_partner_lists'),
        ('as_of', 'outstanding_proposals')
    ) as metrics (time_window, metric)
        on windows.time_window = metrics.time_window

),

subjects as (

    select
        'team' as scope,
        cast(null as {{ sql_type('text') }}) as bdr_id,
        cast(null as {{ sql_type('text') }}) as bdr_name,
        true as is_active
    union all
    select
        'bdr' as scope,
        bdr_id,
        bdr_name,
        is_active
    from bdrs

),

-- every event (dated by its local day) or state that a metric counts, with its owner and
-- the points it adds to the metric
events as (

    select
        bdr_id,
        metric,
        occurred_at as event_at,
        occurred_date as event_date,
        cast(null as date) as due_date,
        coalesce(
            metric = 'calls_upcoming' and occurred_at <= {{ as_of() }} + interval '7 days',
            false
        ) as is_within_7_days,
        1 as points
    from metric_events
    union all
    -- the performance index (contract §5) as events too, each worth its metric's weight
    select
        bdr_id,
        'performance_index' as metric,
        occurred_at as event_at,
        occurred_date as event_date,
        cast(null as date) as due_date,
        false as is_within_7_days,
        index_points as points
    from metric_events
    where index_points > 0
    union all
    select
        bdr_id,
        'overdue_partner_lists' as metric,
        cast(null as timestamp) as event_at,
        cast(null as date) as event_date,
        {{ local_date('partner_list_due_at') }} as due_date,
        false as is_within_7_days,
        1 as points
    from leads
    where is_list_overdue
    union all
    select
        bdr_id,
        'partner_lists_due' as metric,
        cast(null as timestamp) as event_at,
        cast(null as date) as event_date,
        {{ local_date('partner_list_due_at') }} as due_date,
        true as is_within_7_days,
        1 as points
    from leads
    where is_list_due_next_7_days
    union all
    select
        bdr_id,
        'outstanding_proposals' as metric,
        cast(null as timestamp) as event_at,
        cast(null as date) as event_date,
        cast(null as date) as due_date,
        false as is_within_7_days,
        1 as points
    from leads
    where is_proposal_outstanding

),

events_in_windows as (

    select
        events.bdr_id,
        events.metric,
        events.due_date,
        events.points,
        window_metrics.time_window
    from events
    inner join window_metrics
        on
            events.metric = window_metrics.metric
            and case window_metrics.time_window
                when 'as_of' then true
                when 'next_7_days' then events.is_within_7_days
                else
                    events.event_date between window_metrics.window_start_date
                    and window_metrics.window_end_date
                    and (
                        window_metrics.window_end_at is null
                        or events.event_at <= window_metrics.window_end_at
                    )
            end

),

counted as (

    select
        grouping(bdr_id) = 1 as is_team,
        bdr_id,
        time_window,
        metric,
        sum(points) as metric_value,
        min(due_date) as oldest_due_date,
        -- the grid's row this figure fills (one key: a join on several columns here led
        -- PostgreSQL to a merge join on some of them that rescanned millions of rows)
        concat_ws(
            '|',
            time_window,
            metric,
            case when grouping(bdr_id) = 1 then 'team' else coalesce('bdr:' || bdr_id, 'none') end
        ) as grid_key
    from events_in_windows
    group by grouping sets ((time_window, metric), (time_window, metric, bdr_id))

),

grid as (

    select
        subjects.scope,
        subjects.bdr_id,
        subjects.bdr_name,
        subjects.is_active,
        window_metrics.time_window,
        window_metrics.window_start_date,
        window_metrics.window_end_date,
        window_metrics.metric,
        cast(
            coalesce(team_pipeline.metric_value, counted.metric_value, 0)
            as {{ sql_type('numeric') }}
        ) as metric_value,
        counted.oldest_due_date
    from subjects
    cross join window_metrics
    left join counted
        on
            concat_ws(
                '|',
                window_metrics.time_window,
                window_metrics.metric,
                case when subjects.scope = 'team' then 'team' else 'bdr:' || subjects.bdr_id end
            ) = counted.grid_key
    left join team_pipeline
        on
            subjects.scope = 'team'
            and window_metrics.time_window = team_pipeline.time_window
            and window_metrics.metric = team_pipeline.metric

),

final as (

    select
        {{ surrogate_key(['time_window', 'metric', 'bdr_id']) }} as as_of_metric_id,
        {{ as_of() }} as as_of,
        {{ local_week(as_of()) }} as as_of_week,
        scope,
        bdr_id,
        bdr_name,
        is_active,
        time_window,
        window_start_date,
        window_end_date,
        metric,
        metric_value,
        oldest_due_date
    from grid

)

select * from final
