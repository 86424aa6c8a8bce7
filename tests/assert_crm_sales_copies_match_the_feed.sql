{{ config(severity='warn', tags=['nightly']) }}
-- Warns (never fails: the marts read the feed alone, contract §4) with the number of live leads
-- whose CRM copies of the sales feed (firstSaleDate, totalSalesFromList) disagree with it;
-- audit.crm_sales_reconciliation lists them and why.
select
    lead_id,
    reason
from {{ ref('crm_sales_reconciliation') }}
