"""The source tables the simulator writes (contract §2): names, columns in DDL order, enums."""

from __future__ import annotations

COLUMNS: dict[str, tuple[str, ...]] = {
    "User": ("id", "name", "email", "role", "team", "isActive", "createdAt", "updatedAt"),
    "PipelineItem": (
        "id",
        "name",
        "category",
        "status",
        "assignedToId",
        "sublistId",
        "callDate",
        "agreementDate",
        "partnerListDueDate",
        "partnerListSentDate",
        "firstSaleDate",
        "partnerListSize",
        "totalSalesFromList",
        "createdAt",
        "updatedAt",
        "deletedAt",
    ),
    "Sublist": ("id", "parentItemId", "name", "createdAt"),
    "ActivityLog": (
        "id",
        "pipelineItemId",
        "userId",
        "type",
        "scheduledDate",
        "completedDate",
        "outcome",
        "fromStatus",
        "toStatus",
        "notes",
        "createdAt",
        "updatedAt",
    ),
    "KpiTarget": (
        "id",
        "metric",
        "period",
        "userId",
        "targetValue",
        "effectiveFrom",
        "effectiveTo",
    ),
    "sales": ("sale_id", "pipeline_item_id", "sold_at", "amount", "currency", "loaded_at"),
}

# Load order: the sales feed last, so a failure there proves the whole load rolls back.
TABLES: tuple[str, ...] = tuple(COLUMNS)
CRM_TABLES: tuple[str, ...] = TABLES[:-1]

QUALIFIED: dict[str, str] = {name: f'crm."{name}"' for name in CRM_TABLES} | {
    "sales": "sales_ext.sales"
}


def index(table: str) -> dict[str, int]:
    """Column name -> position in a row tuple of `table`."""
    return {name: position for position, name in enumerate(COLUMNS[table])}


ROLES = ("BDR", "LEAD_GEN", "MANAGER", "ADMIN")
STATUSES = (
    "LEAD",
    "CALL_BOOKED",
    "CALL_CONDUCTED",
    "PROPOSAL_SENT",
    "PROPOSAL_FOLLOW_UP",
    "AGREEMENT_SIGNED",
    "PARTNER_LIST_SENT",
    "SOLD",
    "LIST_OUT_NOT_SOLD",
    "FREE_QA_OFFERED",
    "LOST",
)
ACTIVITY_TYPES = ("CALL", "EMAIL", "MEETING", "NOTE", "STATUS_CHANGE")
OUTCOMES = ("COMPLETED", "NO_SHOW", "CANCELLED", "RESCHEDULED")
METRICS = ("CALLS_COMPLETED", "AGREEMENTS", "LISTS_OUT", "UPCOMING_CALLS", "SALES")
PERIODS = ("WEEK", "MONTH")

# Prisma's enums (contract §2): the PostgreSQL enum type Prisma Migrate creates for each (named
# after the Prisma schema's enum, quoted PascalCase, in schema crm like the tables), its
# values in declaration order, and the columns of that type. emg/sql/raw_schema.sql
# spells the same types out.
ENUM_TYPES: dict[str, tuple[str, ...]] = {
    "Role": ROLES,
    "PipelineStatus": STATUSES,
    "ActivityType": ACTIVITY_TYPES,
    "ActivityOutcome": OUTCOMES,
    "KpiMetric": METRICS,
    "KpiPeriod": PERIODS,
}
ENUM_COLUMNS: dict[tuple[str, str], str] = {
    ("User", "role"): "Role",
    ("PipelineItem", "status"): "PipelineStatus",
    ("ActivityLog", "type"): "ActivityType",
    ("ActivityLog", "outcome"): "ActivityOutcome",
    ("ActivityLog", "fromStatus"): "PipelineStatus",
    ("ActivityLog", "toStatus"): "PipelineStatus",
    ("KpiTarget", "metric"): "KpiMetric",
    ("KpiTarget", "period"): "KpiPeriod",
}
# How the enum columns are created: Prisma's enum types (what a logical replica or a restore
# keeps), or text (what most replication tools write).
ENUM_SHAPES: tuple[str, ...] = ("enum", "text")
