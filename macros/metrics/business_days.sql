{#-
    Business days (Monday to Friday, int_dates_spined.is_business_day) of the calendar rows
    being aggregated: all of them, or only those elapsed as of as_of (as_of's own local day
    counts as elapsed). The one place the pro-rating rule of the traffic lights and the
    forecast is written. `calendar` names the calendar relation when the query joins others.
-#}
{% macro count_business_days(elapsed_only=false, calendar=none) -%}
    {%- set prefix = calendar ~ '.' if calendar else '' -%}
    count(*) filter (
        where {{ prefix }}is_business_day
        {%- if elapsed_only %} and {{ prefix }}date_day <= {{ local_date(as_of()) }}{% endif %}
    )
{%- endmacro %}
