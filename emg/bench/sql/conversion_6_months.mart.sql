select cohort_month, calls_cohort, call_to_proposal_rate, proposals_cohort,
    proposal_to_agreement_rate, lists_cohort, list_to_sale_rate
from marts.conversion_rates_monthly
where bdr_id is null and cohort_month >= %(six_months_start)s
    and calls_cohort + proposals_cohort + lists_cohort > 0
order by 1
