"""One realistic hour of CRM activity, applied set-based to the raw tables.

At scale 1 the simulated CRM logs about 13 calls a working day; one hour of it, per unit of
scale: 2 new calls booked, 2 past calls completed late, a proposal and an agreement for one
lead in 3 and 10 (at least one each), a sale for one in 5 (at least one). Every row touched
gets `updatedAt` in the hour, as the CRM would write it. Deterministic for a given as_of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class HourlyChange:
    new_calls: int
    calls_completed_late: int
    proposals: int
    agreements: int
    sales: int

    @classmethod
    def at_scale(cls, scale: int) -> HourlyChange:
        return cls(
            new_calls=2 * scale,
            calls_completed_late=2 * scale,
            proposals=max(1, scale // 3),
            agreements=max(1, scale // 10),
            sales=max(1, scale // 5),
        )

    def rows(self) -> int:
        return (
            self.new_calls
            + self.calls_completed_late
            + 3 * (self.proposals + self.agreements)
            + self.sales
        )


STATEMENTS = """
-- new calls booked, one to three days ahead, on live leads, by their owner
insert into crm."ActivityLog" ("id", "pipelineItemId", "userId", "type", "scheduledDate",
    "createdAt", "updatedAt")
select 'bench-call-' || %(tag)s || '-' || n, lead.id, lead."assignedToId", 'CALL',
    %(end)s + (1 + n %% 3) * interval '1 day', %(start)s + interval '10 minutes',
    %(start)s + interval '10 minutes'
from (
    select id, "assignedToId", row_number() over (order by md5(id || %(tag)s)) as n
    from crm."PipelineItem"
    where "sublistId" is null and "deletedAt" is null and "assignedToId" is not null
) as lead
where lead.n <= %(new_calls)s;

-- past calls nobody closed, completed now
update crm."ActivityLog" as log
set "completedDate" = %(start)s + interval '20 minutes', "outcome" = 'COMPLETED',
    "updatedAt" = %(start)s + interval '20 minutes'
from (
    select id from crm."ActivityLog"
    where "type" = 'CALL' and "completedDate" is null and "outcome" is null
        and "scheduledDate" < %(start)s
    order by "scheduledDate" desc, id
    limit %(calls_completed_late)s
) as late
where log.id = late.id;

-- proposals (CALL_CONDUCTED -> PROPOSAL_SENT) and agreements (PROPOSAL_* -> AGREEMENT_SIGNED);
-- both status columns typed as crm."PipelineItem".status is (Prisma's enum type, or text), and
-- each insert's literal takes that type, so the moves write back into either shape
create temp table bench_moves on commit drop as
select id, status as from_status, status as to_status from crm."PipelineItem" where false;

insert into bench_moves
select id, status, 'PROPOSAL_SENT' from crm."PipelineItem"
where "sublistId" is null and "deletedAt" is null and status = 'CALL_CONDUCTED'
order by md5(id || %(tag)s) limit %(proposals)s;

insert into bench_moves
select id, status, 'AGREEMENT_SIGNED' from crm."PipelineItem"
where "sublistId" is null and "deletedAt" is null and cast(status as text) like 'PROPOSAL\\_%%'
order by md5(id || %(tag)s) limit %(agreements)s;

update crm."PipelineItem" as item
set status = moves.to_status,
    "agreementDate" = case when moves.to_status = 'AGREEMENT_SIGNED'
        then %(start)s + interval '40 minutes' else item."agreementDate" end,
    "partnerListDueDate" = case when moves.to_status = 'AGREEMENT_SIGNED'
        then %(start)s + interval '14 days' else item."partnerListDueDate" end,
    "updatedAt" = %(start)s + interval '40 minutes'
from bench_moves as moves
where item.id = moves.id;

insert into crm."ActivityLog" ("id", "pipelineItemId", "userId", "type", "completedDate",
    "fromStatus", "toStatus", "createdAt", "updatedAt")
select 'bench-status-' || %(tag)s || '-' || moves.id, moves.id, item."assignedToId",
    'STATUS_CHANGE', %(start)s + interval '40 minutes', moves.from_status, moves.to_status,
    %(start)s + interval '40 minutes', %(start)s + interval '40 minutes'
from bench_moves as moves
inner join crm."PipelineItem" as item on item.id = moves.id;

-- sales from partner contacts of lists already out
insert into sales_ext.sales (sale_id, pipeline_item_id, sold_at, amount, currency)
select 'bench-sale-' || %(tag)s || '-' || n, contact_id,
    (%(start)s + interval '50 minutes') at time zone 'UTC', 120 + n %% 7 * 45, 'GBP'
from (
    select contact.id as contact_id,
        row_number() over (order by md5(contact.id || %(tag)s)) as n
    from crm."PipelineItem" as contact
    inner join crm."Sublist" as sublist on sublist.id = contact."sublistId"
    inner join crm."PipelineItem" as lead on lead.id = sublist."parentItemId"
    where lead."partnerListSentDate" <= %(start)s and contact."deletedAt" is null
) as buyer
where n <= %(sales)s;
"""


def apply(conn, start: datetime, change: HourlyChange) -> None:
    """Apply one hour of activity, (start, start + 1 h], in one transaction (naive UTC)."""
    end = start + timedelta(hours=1)
    values = {
        "start": start,
        "end": end,
        "tag": start.strftime("%Y%m%d%H"),
        **change.__dict__,
    }
    with conn, conn.cursor() as cur:
        cur.execute(STATEMENTS, values)
