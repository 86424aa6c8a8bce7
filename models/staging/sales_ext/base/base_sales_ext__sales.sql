-- Every raw sales_ext.sales row once: renamed, typed, flagged, and given a rejection_reason
-- (null when the row is clean). stg_sales_ext__sales keeps the clean rows;
-- audit.rejected_rows the others. Where sales_ext.sales does not exist yet,
-- select_sales_feed() gives no rows, so neither does this model.
with

source as (

    select
        raw_sales.*,
        {{ row_as_json('raw_sales') }} as raw_row
    from ({{ select_sales_feed() }}) as raw_sales

),

-- Orphans are checked against every raw item id, not the clean ones. Every raw item id is
-- here with the clean lead it belongs to, if any: a sale on an item that belongs to no clean
-- lead could reach no mart, so it is rejected as unmapped_lead rather than vanish.
item_leads as (

    select * from {{ ref('base_crm__pipeline_item_leads') }}

),

renamed as (

    select
        ----------  ids
        sale_id,
        pipeline_item_id,

        ----------  numerics and currency
        cast(amount as {{ sql_type('numeric(12, 2)') }}) as amount,
        -- compared trimmed and upper-cased (contract §4); blank is no currency
        nullif(upper(trim(currency)), '') as currency,

        ----------  timestamps (the feed's timestamptz as UTC timestamps)
        {{ to_utc('sold_at') }} as sold_at,
        {{ to_utc('loaded_at') }} as loaded_at,

        ----------  the raw row
        raw_row,
        row_number() over (
            partition by sale_id
            order by loaded_at desc nulls last, md5(cast(raw_row as {{ sql_type('text') }}))
        ) as source_row_rank

    from source

),

flagged as (

    select
        renamed.*,

        ----------  data-quality flags
        coalesce({{ does_not_match('renamed.currency', '^[A-Z]{3}$') }}, true)
            as has_unknown_currency,
        coalesce(renamed.currency != upper(trim('{{ var("reporting_currency") }}')), true)
            as is_other_currency,

        ----------  why the row is rejected (null: it is clean)
        case
            when renamed.sale_id is null then 'missing_id'
            when renamed.source_row_rank > 1 then 'duplicate'
            when renamed.pipeline_item_id is null then 'missing_pipeline_item_id'
            when renamed.amount is null then 'missing_amount'
            when renamed.sold_at is null then 'missing_sold_at'
            -- infinite, before the window, or too long after the row was loaded
            when not {{ plausible_timestamp('renamed.sold_at', 'renamed.loaded_at') }}
                then 'implausible_sold_at'
            when item_leads.pipeline_item_id is null then 'orphan_pipeline_item_id'
            when renamed.amount < 0 then 'negative_amount'
            when item_leads.lead_id is null then 'unmapped_lead'
        end as rejection_reason

    from renamed
    left join item_leads
        on renamed.pipeline_item_id = item_leads.pipeline_item_id

)

select * from flagged
