{#-
    The time a lead spent between two milestones, in days to one decimal (SQL numeric): the
    elapsed time between the two UTC instants over 24 hours, so a clock change adds or loses
    no hour (a day is 24 hours here, not a local calendar day). Null when either milestone is
    missing; negative when the CRM dated the later stage before the earlier one (kept, not
    hidden: an average over such leads shows it). The one place the stage durations of
    dim_leads are written.
-#}
{% macro stage_days(from_at, to_at) -%}
    {{ rounded(
        'cast(' ~ seconds_between(from_at, to_at) ~ ' / 86400 as ' ~ sql_type('numeric') ~ ')',
        1,
        'numeric(8, 1)'
    ) }}
{%- endmacro %}
