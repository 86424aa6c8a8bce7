select upcoming_calls_next_7_days, upcoming_calls_next_week, outstanding_proposals,
    overdue_partner_lists, partner_lists_due_next_7_days
from marts.pipeline_health
