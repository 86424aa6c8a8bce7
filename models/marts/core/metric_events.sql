{{ config(materialized='view') }}
-- Every event that counts as of as_of, once per metric of the seed metric_catalogue that
-- counts it (a sale is one of `sales` and its amount one of `revenue`): the one place the
-- as-of rule of contract §3 meets the events. A `happened` metric counts events at or before
-- as_of; an `upcoming` one (calls upcoming) counts those after it that have not ended (been
-- completed) by as_of. `metric_value` is 1 for a count and, for an amount, the sale's amount
-- converted to the reporting currency and rounded to the cent (int_currency_rates; null for a
-- currency with no rate, which so adds nothing to revenue, contract §4); `index_points` is
-- what the event adds to the performance index (contract §5). A view: it costs the build
-- nothing; one SELECT without a WITH (as the stg_ views), so PostgreSQL flattens it into the
-- query that reads it and reaches fct_events through its indexes.
select
    catalogue.metric,
    catalogue.timing,
    catalogue.measure,
    events.event_id,
    events.event_type,
    events.source_id,
    events.pipeline_item_id,
    events.lead_id,
    events.lead_name,
    events.category,
    events.bdr_id,
    events.bdr_name,
    events.is_bdr,
    events.team,
    events.occurred_at,
    events.occurred_date,
    events.occurred_week,
    events.occurred_month,
    events.iso_weekday,
    events.hour_of_day,
    cast(
        case catalogue.measure
            when 'count' then 1
            else round(events.amount * rates.rate_to_reporting, 2)
        end as {{ sql_type('numeric') }}
    ) as metric_value,
    case catalogue.measure when 'count' then catalogue.index_weight else 0 end
        as index_points,
    events.occurred_week = {{ local_week(as_of()) }} as is_as_of_week,
    events.occurred_month = {{ local_month(as_of()) }} as is_as_of_month,
    {{ as_of() }} as as_of

from {{ ref('fct_events') }} as events
inner join {{ ref('metric_catalogue') }} as catalogue
    on events.event_type = catalogue.event_type
left join {{ ref('int_currency_rates') }} as rates
    on events.currency = rates.currency

where
    case catalogue.timing
        when 'happened' then events.occurred_at <= {{ as_of() }}
        when 'upcoming'
            then {{ is_call_upcoming_at('events.occurred_at', 'events.ends_at', as_of()) }}
    end
