{{
    config(
        indexes=[
            {'columns': ['sublist_id']},
            {'columns': ['parent_item_id']},
        ],
    )
}}
-- Every raw crm."Sublist" row once: renamed, typed, repaired, and given a rejection_reason (null
-- when the row is clean). stg_crm__sublists keeps the clean rows; audit.rejected_rows the
-- others.
with

source as (

    select
        raw_sublists.*,
        {{ row_as_json('raw_sublists') }} as raw_row
    from {{ source('crm', 'Sublist') }} as raw_sublists

),

-- The current version of every raw item (clean or not): orphans are checked against every raw
-- item id, not the clean ones, so that a rejected item does not cascade into rejected
-- sublists. A sublist's parent must be a lead (contract §2: the lead whose list went out); a
-- parent that is itself a partner contact (the sublist's own, or one in a cycle of sublists)
-- belongs to no lead.
parent_items as (

    select
        pipeline_item_id,
        is_lead
    from {{ ref('base_crm__pipeline_items') }}
    where pipeline_item_id is not null and source_row_rank = 1

),

renamed as (

    select
        ----------  ids
        id as sublist_id,
        {{ adapter.quote('parentItemId') }} as parent_item_id,

        ----------  text
        nullif(trim(name), '') as sublist_name,

        ----------  timestamps (a createdAt outside the plausible window is nulled)
        cast({{ adapter.quote('createdAt') }} as timestamp) as raw_created_at,
        case
            when {{ plausible_timestamp(adapter.quote('createdAt')) }}
                then cast({{ adapter.quote('createdAt') }} as timestamp)
        end
            as created_at,

        ----------  the raw row
        raw_row,
        row_number() over (
            partition by id
            order by
                {{ plausible_or_null(adapter.quote('createdAt')) }}
                desc nulls last,
                md5(cast(raw_row as {{ sql_type('text') }}))
        ) as source_row_rank

    from source

),

flagged as (

    select
        renamed.*,

        ----------  data-quality flags
        coalesce(not {{ plausible_timestamp('renamed.raw_created_at') }}, false)
            as has_implausible_timestamp,

        ----------  why the row is rejected (null: it is clean)
        case
            when renamed.sublist_id is null then 'missing_id'
            when renamed.source_row_rank > 1 then 'duplicate'
            when renamed.parent_item_id is null then 'missing_parent_item_id'
            when parent_items.pipeline_item_id is null then 'orphan_parent_item_id'
            when not parent_items.is_lead then 'parent_not_a_lead'
        end as rejection_reason

    from renamed
    left join parent_items
        on renamed.parent_item_id = parent_items.pipeline_item_id

)

select * from flagged
