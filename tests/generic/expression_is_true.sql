{#-
    Fails on rows where a SQL boolean expression is not true (false or null). Attached to a
    column, `column_name` is put in front of the expression: `expression: ">= 0"`.
    `where` limits the rows checked.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

    select *
    from {{ model }}
    where
        not coalesce(
            {%- if column_name is not none %}
            {{ column_name }} {{ expression }},
            {%- else %}
            {{ expression }},
            {%- endif %}
            false
        )

{% endtest %}
