{#-
    An alert rule's condition as SQL `boolean`: `value <comparison> threshold`, where
    `comparison` is a SQL expression holding one of `<`, `<=`, `>`, `>=` (read from the
    alert_rules seed, so the operator is data, not code). Null (does not fire) when the value
    is null or the operator unknown.
-#}
{% macro alert_condition(value, comparison, threshold) -%}
    case {{ comparison }}
        when '<' then {{ value }} < {{ threshold }}
        when '<=' then {{ value }} <= {{ threshold }}
        when '>' then {{ value }} > {{ threshold }}
        when '>=' then {{ value }} >= {{ threshold }}
    end
{%- endmacro %}


{#- The words for a comparison in a message: `below`, `at or below`, `above`, `at or above`. -#}
{% macro comparison_words(comparison) -%}
    case {{ comparison }}
        when '<' then 'below'
        when '<=' then 'at or below'
        when '>' then 'above'
        when '>=' then 'at or above'
    end
{%- endmacro %}


{#-
    A metric and its value in words, for alert messages (SQL `text`): e.g. `18 calls
    completed`, `1 call booked`, `a performance index of 6`. Unknown metrics read
    `<metric> = <value>`.
-#}
{% macro metric_words(metric, value) -%}
    {%- set nouns = [
        ('calls_completed', 'call completed', 'calls completed'),
        ('calls_upcoming', 'call booked', 'calls booked'),
        ('agreements', 'agreement', 'agreements'),
        ('lists_out', 'list out', 'lists out'),
        ('sales', 'sale', 'sales'),
        ('outstanding_proposals', 'outstanding proposal', 'outstanding proposals'),
        ('partner_lists_due', 'partner list due', 'partner lists due'),
        ('overdue_partner_lists', 'overdue partner list', 'overdue partner lists'),
    ] -%}
    case {{ metric }}
        when 'performance_index' then 'a performance index of ' || {{ numeric_as_text(value) }}
        {%- for key, one, many in nouns %}
        when '{{ key }}' then {{ numeric_as_text(value) }}
            || case when {{ value }} = 1 then ' {{ one }}' else ' {{ many }}' end
        {%- endfor %}
        else {{ metric }} || ' = ' || {{ numeric_as_text(value) }}
    end
{%- endmacro %}
