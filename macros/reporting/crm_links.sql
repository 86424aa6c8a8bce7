{#-
    A lead's record in the CRM (SQL text): the var `crm_lead_url`, a URL template, with
    `{lead_id}` replaced by the lead's id (CRM ids are cuids: letters and digits, safe in a
    URL as they are). Null for every lead when the var is empty, so dashboards show no link
    rather than a broken one.
-#}
{% macro crm_lead_url(lead_id) -%}
    {%- set template = var('crm_lead_url', '') | string | trim -%}
    {%- if template == '' -%}
        cast(null as {{ sql_type('text') }})
    {%- else -%}
        {%- if '{lead_id}' not in template -%}
            {{ exceptions.raise_compiler_error(
                "var crm_lead_url=" ~ template ~ " has no {lead_id} to replace; "
                ~ "use e.g. http://localhost:3000/leads/{lead_id}"
            ) }}
        {%- endif -%}
        replace('{{ template | replace("'", "''") }}', '{lead_id}', {{ lead_id }})
    {%- endif -%}
{%- endmacro %}
