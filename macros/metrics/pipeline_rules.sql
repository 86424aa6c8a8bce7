{#-
    Contract §5's pipeline rules, each written once and judged at any instant `at` (a UTC
    timestamp expression): int_leads_milestones and metric_events judge them at as_of,
    pipeline_health_daily at the end of each of its days. A milestone later than `at` has not
    happened yet; current statuses are read as they are now (contract §3), so a lead LOST
    today is left out of every past day too. Each returns a boolean, never null.
-#}

{#- An outstanding proposal: proposed by `at`, no agreement by `at`, not LOST. -#}
{% macro is_proposal_outstanding_at(proposal_at, agreement_at, status_stage, at) -%}
    coalesce(
        {{ proposal_at }} <= {{ at }}
        and ({{ agreement_at }} is null or {{ agreement_at }} > {{ at }})
        and {{ status_stage }} is distinct from 'lost',
        false
    )
{%- endmacro %}


{#- A partner list waiting at `at`: agreement reached by `at`, not sent by `at`, not LOST. -#}
{% macro is_list_pending_at(agreement_at, sent_at, status_stage, at) -%}
    coalesce(
        {{ agreement_at }} <= {{ at }}
        and ({{ sent_at }} is null or {{ sent_at }} > {{ at }})
        and {{ status_stage }} is distinct from 'lost',
        false
    )
{%- endmacro %}


{#- An overdue partner list: pending, and due on a local day before `at`'s local day (a list
    due today is due, not overdue). -#}
{% macro is_list_overdue_at(agreement_at, sent_at, due_at, status_stage, at) -%}
    (
        {{ is_list_pending_at(agreement_at, sent_at, status_stage, at) }}
        and coalesce({{ local_date(due_at) }} < {{ local_date(at) }}, false)
    )
{%- endmacro %}


{#- A partner list due in the next 7 days: pending, and due from `at`'s local day to 7 days
    after it, both included. -#}
{% macro is_list_due_next_7_days_at(agreement_at, sent_at, due_at, status_stage, at) -%}
    (
        {{ is_list_pending_at(agreement_at, sent_at, status_stage, at) }}
        and coalesce(
            {{ local_date(due_at) }} between {{ local_date(at) }} and {{ local_date(at) }} + 7,
            false
        )
    )
{%- endmacro %}


{#- The days a pending list is overdue at `at`: local days from its due day to `at`'s (null when
    it is not overdue). -#}
{% macro days_overdue_at(agreement_at, sent_at, due_at, status_stage, at) -%}
    case
        when {{ is_list_overdue_at(agreement_at, sent_at, due_at, status_stage, at) }}
            then {{ dbt.datediff(local_date(due_at), local_date(at), 'day') }}
    end
{%- endmacro %}


{#- A call upcoming at `at` (a `call_scheduled` event of fct_events): scheduled after `at` and
    not completed (ended) by it. -#}
{% macro is_call_upcoming_at(scheduled_at, ends_at, at) -%}
    (
        {{ scheduled_at }} > {{ at }}
        and ({{ ends_at }} is null or {{ ends_at }} > {{ at }})
    )
{%- endmacro %}


{#- A partner list sent on time: sent on or before the local day (reporting timezone) it was due,
    so a list due at 00:10 BST and sent at 23:50 BST the same day is on time, and one sent the
    next local day is not, whatever their UTC dates. Null when the list was not sent or has no
    due date. -#}
{% macro is_list_sent_on_time(sent_at, due_at) -%}
    case
        when {{ sent_at }} is not null and {{ due_at }} is not null
            then {{ local_date(sent_at) }} <= {{ local_date(due_at) }}
    end
{%- endmacro %}
