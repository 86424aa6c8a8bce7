{#-
    The rows of an incremental raw-row model whose rejection read another table that has
    changed since (staging_scope_pre_hook redoes their ids). Each model keeps what it read as
    flags (has_raw_item, ...); a row is redone when a flag no longer holds. The comparison
    reads narrow columns of the whole table: the flags change rarely, but can change without
    the row's own updatedAt (an item deleted from the replica, a lead rejected).
-#}

{#- An activity's item appeared or vanished, lost or found its clean lead; its user appeared
    or vanished. -#}
{% macro activity_log_dependencies() -%}
    select stored.activity_log_id
    from {{ this }} as stored
    left join {{ ref('base_crm__pipeline_item_leads') }} as items
        on stored.pipeline_item_id = items.pipeline_item_id
    left join (
        select distinct id from {{ source('crm', 'User') }}
    ) as users
        on stored.user_id = users.id
    where
        stored.activity_log_id is not null
        and (
            stored.has_raw_item is distinct from (items.pipeline_item_id is not null)
            or stored.has_clean_lead is distinct from (items.lead_id is not null)
            or stored.has_raw_user is distinct from (users.id is not null)
        )
{%- endmacro %}


{#- An item's assigned user appeared or vanished. -#}
{% macro pipeline_item_dependencies() -%}
    select stored.pipeline_item_id
    from {{ this }} as stored
    left join (
        select distinct id from {{ source('crm', 'User') }}
    ) as users
        on stored.assigned_to_id = users.id
    where
        stored.pipeline_item_id is not null
        and stored.has_raw_assigned_user is distinct from (users.id is not null)
{%- endmacro %}
