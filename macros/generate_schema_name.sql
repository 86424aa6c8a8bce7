{#-
    Where a model's custom schema (`staging`, `intermediate`, `marts`, `audit`, `seeds`)
    lands. On the target `prod` exactly as named: the schemas Superset, the Slack alerts and
    analysts read. So too on the target `spark` (profiles.yml.example): a warehouse of its
    own, whose databases are named as prod's schemas. On any other target (a developer's `dev`) in schemas of the target's own,
    `<target schema>_<custom schema>` (dev_alice_marts), so a developer's build never
    rewrites what others read. Nodes without a custom schema go to the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.name in ('prod', 'spark') -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
