{{ config(materialized='table') }}
-- The target of every KPI for every BDR (and the team, bdr_id null) in every week and month
-- of the calendar. Seed defaults (seeds/kpi_target_defaults.csv) apply unless a
-- crm."KpiTarget" row overrides them: a row applies to a period when its effective dates
-- overlap the period; where several overlap, the latest effective_from wins (then the
-- highest id). A row with userId null is a team target; rows with unknown metrics or periods
-- are ignored (they stay visible, flagged, in staging); a null effective date is open.
-- A table, computed once per build: several models join it, and a view's row estimates
-- (one row) led PostgreSQL to merge joins that rescanned it hundreds of millions of times.
with

calendar as (

    select * from {{ ref('int_dates_spined') }}

),

defaults as (

    select * from {{ ref('kpi_target_defaults') }}

),

crm_targets as (

    select * from {{ ref('stg_crm__kpi_targets') }}
    where not has_unknown_metric and not has_unknown_period

),

bdrs as (

    select user_id as bdr_id from {{ ref('stg_crm__users') }}
    where is_bdr

),

periods as (

    select distinct
        'WEEK' as period,
        week_start as period_start,
        week_start + 6 as period_end
    from calendar
    union all
    select distinct
        'MONTH' as period,
        month_start as period_start,
        cast(month_start + interval '1 month' - interval '1 day' as date) as period_end
    from calendar

),

subjects as (

    select
        bdr_id,
        'bdr' as scope
    from bdrs
    union all
    select
        cast(null as {{ sql_type('text') }}) as bdr_id,
        'team' as scope

),

candidates as (

    select
        subjects.bdr_id,
        defaults.metric,
        defaults.period,
        periods.period_start,
        defaults.target_value,
        'default' as target_source,
        2 as source_priority,
        cast(null as date) as effective_from_date,
        cast(null as {{ sql_type('text') }}) as kpi_target_id
    from defaults
    inner join subjects
        on defaults.scope = subjects.scope
    inner join periods
        on defaults.period = periods.period
    union all
    select
        crm_targets.user_id as bdr_id,
        crm_targets.metric,
        crm_targets.period,
        periods.period_start,
        crm_targets.target_value,
        'crm' as target_source,
        1 as source_priority,
        crm_targets.effective_from_date,
        crm_targets.kpi_target_id
    from crm_targets
    inner join periods
        on
            crm_targets.period = periods.period
            and coalesce(crm_targets.effective_from_date, periods.period_start)
            <= periods.period_end
            and coalesce(crm_targets.effective_to_date, periods.period_start)
            >= periods.period_start
    where
        crm_targets.user_id is null
        or crm_targets.user_id in (select bdrs.bdr_id from bdrs)

),

ranked as (

    select
        candidates.*,
        row_number() over (
            partition by
                candidates.bdr_id,
                candidates.metric,
                candidates.period,
                candidates.period_start
            order by
                candidates.source_priority asc,
                candidates.effective_from_date desc nulls last,
                candidates.kpi_target_id desc nulls last
        ) as target_rank
    from candidates

),

final as (

    select
        bdr_id,
        metric,
        period,
        period_start,
        target_value,
        target_source,
        kpi_target_id
    from ranked
    where target_rank = 1

)

select * from final
