-- The rate of every currency to the reporting one (contract §4): the seed currency_rates, codes
-- trimmed and upper-cased as sales' are, and the reporting currency at 1 where the seed does not
-- list it. A currency absent here has no rate: its sales count, add nothing to revenue and are
-- listed in audit.sales_without_rate.
with

rates as (

    select
        upper(trim(currency)) as currency,
        cast(rate_to_reporting as {{ sql_type('numeric') }}) as rate_to_reporting
    from {{ ref('currency_rates') }}
    where rate_to_reporting is not null

),

reporting_currency as (

    select
        upper(trim('{{ var("reporting_currency") }}')) as currency,
        cast(1 as {{ sql_type('numeric') }}) as rate_to_reporting

),

final as (

    select * from rates
    union all
    select * from reporting_currency
    where currency not in (select rates.currency from rates)

)

select * from final
