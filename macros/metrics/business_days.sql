{#-
    Business days (Monday to Friday, int_dates_spined.is_business_day) of the calendar rows
    being aggregated: all of them, or only those elapsed: up to as_of's local date (as_of's own
    local day counts as elapsed), or up to and including the local date `elapsed_through` (a SQL
    date expression, for a query that judges many days, such as monthly_forecast_daily). The
    one place the pro-rating rule of the traffic lights and the forecast is written. `calendar`
    names the calendar relation when the query joins others.
-#}
{% macro count_business_days(elapsed_only=false, calendar=none, elapsed_through=none) -%}
    {%- set prefix = calendar ~ '.' if calendar else '' -%}
    {%- set through = elapsed_through or (local_date(as_of()) if elapsed_only else none) -%}
    count(*) filter (
        where {{ prefix }}is_business_day
        {%- if through %} and {{ prefix }}date_day <= {{ through }}{% endif %}
    )
{%- endmacro %}


{#-
    The share of the week's business days (Monday to Friday) that ended before as_of's local
    date: 0 on Monday, 1/5 on Tuesday ... 4/5 on Friday, 1 on Saturday and Sunday. The one place
    the pro-rating of the weekly alert thresholds is written (contract §6).
-#}
{% macro elapsed_business_week_share() -%}
    (least({{ iso_weekday(local_date(as_of())) }} - 1, 5) / 5.0)
{%- endmacro %}
