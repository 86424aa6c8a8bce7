{#-
    A call's status as of `as_of` (contract §4, §7), one of: completed, cancelled, rescheduled,
    upcoming, no_show, missed. The first rule that applies wins:

    1. completed: a completion (`is_completion`: completed_at set, outcome null or
       COMPLETED) dated at or before as_of;
    2. cancelled / rescheduled: the outcome says so;
    3. upcoming: scheduled after as_of and not completed by as_of (the contract's letter: a NO_SHOW
       logged against a future date still counts as upcoming);
    4. no_show: the outcome says so;
    5. missed: everything else: scheduled in the past (or never), never completed by as_of.

    The one place this rule is written: fct_calls evaluates it on every build for every call
    whose status can have moved since the last (macros/metrics/calls.sql), so a call's
    status always follows the build's as_of.
-#}
{% macro call_status(scheduled_at, completed_at, outcome, is_completion, as_of_expr=none) -%}
    {%- set moment = as_of_expr or as_of() -%}
    case
        when {{ is_completion }} and {{ completed_at }} <= {{ moment }} then 'completed'
        when {{ outcome }} = 'CANCELLED' then 'cancelled'
        when {{ outcome }} = 'RESCHEDULED' then 'rescheduled'
        when {{ scheduled_at }} > {{ moment }} then 'upcoming'
        when {{ outcome }} = 'NO_SHOW' then 'no_show'
        else 'missed'
    end
{%- endmacro %}
