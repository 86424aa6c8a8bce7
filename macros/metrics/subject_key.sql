{#-
    A join key for the subject of a figure: the BDR (`bdr_id`) or the team (`bdr_id` null).
    Two rows share a key exactly when their bdr_ids are equal or both null, as with
    `is not distinct from`; but PostgreSQL can hash or merge on an equality of keys, where
    `is not distinct from` leaves it a nested loop over every pair of rows (at scale 1000,
    minutes per join).
-#}
{% macro subject_key(bdr_id) -%}
    coalesce('bdr:' || {{ bdr_id }}, 'team')
{%- endmacro %}
