{#- The values of one of the CRM's enums (the var crm_enums, keyed by Prisma's enum type) as a
    SQL list, for a base model's `column not in (...)` flag. -#}
{% macro crm_enum_values(enum_type) -%}
    {%- set values = var('crm_enums')[enum_type] -%}
    ({% for value in values %}'{{ value }}'{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
