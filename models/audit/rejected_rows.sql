-- Every raw row that did not make it into a clean staging model, with its table, id and
-- reason (contract §8). Together with the staging models it accounts for every raw row once:
-- tests/assert_raw_rows_are_clean_or_rejected.sql proves it.
{%- set bases = [
    ('rejected_users', 'crm.User', 'base_crm__users', 'user_id'),
    ('rejected_pipeline_items', 'crm.PipelineItem', 'base_crm__pipeline_items', 'pipeline_item_id'),
    ('rejected_sublists', 'crm.Sublist', 'base_crm__sublists', 'sublist_id'),
    ('rejected_activity_logs', 'crm.ActivityLog', 'base_crm__activity_logs', 'activity_log_id'),
    ('rejected_kpi_targets', 'crm.KpiTarget', 'base_crm__kpi_targets', 'kpi_target_id'),
    ('rejected_sales', 'sales_ext.sales', 'base_sales_ext__sales', 'sale_id'),
] %}

with

{% for cte, source_table, base_model, id_column in bases %}
{{ cte }} as (

    select
        '{{ source_table }}' as source_table,
        {{ id_column }} as source_id,
        source_row_rank,
        rejection_reason as reason,
        raw_row
    from {{ ref(base_model) }}
    where rejection_reason is not null

),

{% endfor -%}

unioned as (

    {% for cte, _, _, _ in bases %}
    select * from {{ cte }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {% endfor %}

),

final as (

    select
        {{ surrogate_key(['source_table', 'source_id', 'source_row_rank']) }} as rejected_row_id,
        source_table,
        source_id,
        reason,
        raw_row,
        {{ as_of() }} as detected_at

    from unioned

)

select * from final
