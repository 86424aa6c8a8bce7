{#-
    announce_build(): an on-run-end hook. Tells whoever listens on the warehouse's channel
    `emg_build_ended` that a dbt invocation has ended, so the reporting API drops its cached
    answers and re-reads the marts' as_of at once, rather than asking the warehouse on every
    request. PostgreSQL's NOTIFY is delivered when the hook's transaction commits, after every
    model of the build has committed; elsewhere it says nothing.
-#}
{% macro announce_build() -%}
    {{ return(adapter.dispatch('announce_build', 'emg')()) }}
{%- endmacro %}

{% macro default__announce_build() -%}
    select 1 as nothing_to_announce
{%- endmacro %}

{% macro postgres__announce_build() -%}
    notify emg_build_ended
{%- endmacro %}
