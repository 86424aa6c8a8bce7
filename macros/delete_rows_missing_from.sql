{#-
    A post-hook for incremental models: delete the rows of {{ this }} whose key no longer
    exists in the model's source (a soft-deleted item, a row rejected on a later build, a
    row gone from the replica), so an incremental run keeps equal to a full refresh.
    Does nothing on a full build.
-#}
{% macro delete_rows_missing_from(source_relation, key) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as target
        where not exists (
            select 1 from {{ source_relation }} as source
            where source.{{ key }} = target.{{ key }}
        )
    {%- endif -%}
{%- endmacro %}
