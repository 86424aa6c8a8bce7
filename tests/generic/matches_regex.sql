{#-
    Fails on rows where the column does not match the regular expression `pattern` (or is
    null), on any engine (macro matches_regex).
-#}
{% test matches_regex(model, column_name, pattern) %}

    select *
    from {{ model }}
    where
        not coalesce(
            {{ matches_regex(column_name, pattern) }},
            false
        )

{% endtest %}
