"""The source tables the simulator writes (contract §2): names, columns in DDL order, enums."""

from __future__ import annotations

import functools

from emg.errors import EmgError
from emg.project_vars import dbt_vars

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


# Prisma's enums (contract §2): the PostgreSQL enum type Prisma Migrate creates for each (named
# after the Prisma schema's enum, quoted PascalCase, in schema crm like the tables) and the
# columns of that type. Their values are the dbt var crm_enums (dbt_project.yml), the one list
# that staging checks raw values against too.
ENUM_TYPE_NAMES = ("Role", "PipelineStatus", "ActivityType", "ActivityOutcome", "KpiMetric",
                   "KpiPeriod")  # fmt: skip


@functools.cache
def enum_types() -> dict[str, tuple[str, ...]]:
    """Each enum type's values, in declaration order, from the dbt var crm_enums."""
    configured = dbt_vars().get("crm_enums")
    try:
        return {name: tuple(str(value) for value in configured[name]) for name in ENUM_TYPE_NAMES}
    except (KeyError, TypeError):
        raise EmgError(
            "dbt_project.yml needs the var crm_enums: a list of values for each of "
            + ", ".join(ENUM_TYPE_NAMES)
        ) from None


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
