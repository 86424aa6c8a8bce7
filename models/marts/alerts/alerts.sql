{{ config(indexes=[{'columns': ['bdr_id']}, {'columns': ['week_start']}]) }}
-- One row per firing alert as of as_of (contract §6). The rules, their thresholds, windows and
-- priorities are rows of the alert_rules seed: nothing here names a threshold. A rule fires
-- for a subject (the team, or each ACTIVE BDR) when its condition, and its second condition
-- if it has one, hold on as_of_metrics' figures.
with

rules as (

    select * from {{ ref('alert_rules') }}
    where is_enabled

),

metrics as (

    select * from {{ ref('as_of_metrics') }}
    where is_active

),

evaluated as (

    select
        rules.rule_key,
        rules.priority,
        rules.scope,
        rules.time_window,
        rules.metric,
        rules.comparison,
        -- the thresholds in force: a weekly rule's pro-rated through the week (contract §6)
        case
            when coalesce(rules.is_pro_rated, false)
                then {{ trimmed_numeric('rules.threshold * ' ~ elapsed_business_week_share()) }}
            else rules.threshold
        end as threshold,
        rules.and_metric,
        rules.and_comparison,
        case
            when coalesce(rules.is_pro_rated, false)
                then {{ trimmed_numeric('rules.and_threshold * ' ~ elapsed_business_week_share()) }}
            else rules.and_threshold
        end as and_threshold,
        rules.dashboard_slug,
        measured.bdr_id,
        measured.bdr_name,
        measured.as_of,
        measured.as_of_week,
        measured.window_start_date,
        measured.window_end_date,
        measured.metric_value,
        measured.oldest_due_date,
        also_measured.metric_value as and_metric_value
    from rules
    inner join metrics as measured
        on
            rules.scope = measured.scope
            and rules.time_window = measured.time_window
            and rules.metric = measured.metric
    left join metrics as also_measured
        on
            measured.scope = also_measured.scope
            and {{ subject_key('measured.bdr_id') }} = {{ subject_key('also_measured.bdr_id') }}
            and rules.time_window = also_measured.time_window
            and rules.and_metric = also_measured.metric

),

fired as (

    select * from evaluated
    where
        coalesce({{ alert_condition('metric_value', 'comparison', 'threshold') }}, false)
        and (
            and_metric is null
            or coalesce(
                {{ alert_condition('and_metric_value', 'and_comparison', 'and_threshold') }},
                false
            )
        )

),

-- the message's parts: who, what was measured and when, against which threshold
worded as (

    select
        fired.*,
        case
            when fired.scope = 'team' then 'Team'
            else coalesce(fired.bdr_name, fired.bdr_id)
        end as subject_words,
        case fired.time_window
            when 'this_week'
                then
                    ' this week (week of '
                    || {{ date_as_text('fired.window_start_date', 'YYYY-MM-DD') }} || ')'
            when 'next_week'
                then
                    ' for next week (week of '
                    || {{ date_as_text('fired.window_start_date', 'YYYY-MM-DD') }} || ')'
            when 'this_month'
                then
                    ' this month ('
                    || {{ date_as_text('fired.window_start_date', 'FMMonth YYYY') }} || ')'
            when 'next_7_days' then ' in the next 7 days'
            else ''
        end as window_words,
        {{ comparison_words('fired.comparison') }}
        || ' the threshold of ' || {{ numeric_as_text('fired.threshold') }} as threshold_words,
        {{ comparison_words('fired.and_comparison') }}
        || ' the threshold of '
        || {{ numeric_as_text('fired.and_threshold') }} as and_threshold_words
    from fired

),

messages as (

    select
        worded.*,
        case
            when worded.metric = 'overdue_partner_lists'
                then
                    case when worded.scope = 'bdr' then worded.subject_words || ': ' else '' end
                    || {{ numeric_as_text('worded.metric_value') }}
                    || case
                        when worded.metric_value = 1 then ' partner list is overdue; it was due '
                        else ' partner lists are overdue; the oldest was due '
                    end
                    || {{ date_as_text('worded.oldest_due_date', 'YYYY-MM-DD') }}
            else
                worded.subject_words || ': '
                || {{ metric_words('worded.metric', 'worded.metric_value') }}
                || worded.window_words || ', ' || worded.threshold_words
                || coalesce(
                    ', and '
                    || {{ metric_words('worded.and_metric', 'worded.and_metric_value') }}
                    || ', ' || worded.and_threshold_words,
                    ''
                )
        end || '.' as message
    from worded

),

final as (

    select
        {{ surrogate_key(['rule_key', "coalesce(bdr_id, 'team')", 'as_of_week']) }} as alert_id,
        -- Contract §7 names the column `rule`, a keyword to sqlfluff
        rule_key as rule,  -- noqa: RF04
        priority,
        case priority
            when 'urgent' then 1
            when 'high' then 2
            when 'medium' then 3
            when 'low' then 4
        end as priority_rank,
        scope,
        bdr_id,
        bdr_name,
        time_window,
        window_start_date,
        window_end_date,
        metric,
        metric_value,
        comparison,
        -- the contract's numeric (Spark's product with the week's share has its own precision)
        cast(threshold as {{ sql_type('numeric') }}) as threshold,
        and_metric,
        and_metric_value,
        and_comparison,
        cast(and_threshold as {{ sql_type('numeric') }}) as and_threshold,
        message,
        dashboard_slug,
        as_of_week as week_start,
        as_of
    from messages

)

select * from final
