-- The CRM's tables as Prisma Migrate creates them, replicated into the warehouse (contract §2).
-- Prisma's names (quoted camelCase); enums are PostgreSQL enum types named after the Prisma
-- schema's enums (quoted PascalCase), timestamps are timestamp(3) without time zone holding
-- UTC, integers integer, ids text. A replica carries no constraints: duplicates, orphans and
-- nulls can arrive, and staging sorts them out (contract §8).
--
-- This is the shape a logical replica or a restore keeps. The enum types are created first,
-- with the values of the dbt var crm_enums (emg/simulator/load.py); `emg crm generate
-- --enum-columns text` turns the enum columns into text afterwards, as most replication tools
-- write them.
create schema if not exists crm;

create table crm."User" (
    "id" text,
    "name" text,
    "email" text,
    "role" crm."Role",
    "team" text,
    "isActive" boolean,
    "createdAt" timestamp(3),
    "updatedAt" timestamp(3)
);

create table crm."PipelineItem" (
    "id" text,
    "name" text,
    "category" text,
    "status" crm."PipelineStatus",
    "assignedToId" text,
    "sublistId" text,
    "callDate" timestamp(3),
    "agreementDate" timestamp(3),
    "partnerListDueDate" timestamp(3),
    "partnerListSentDate" timestamp(3),
    "firstSaleDate" timestamp(3),
    "partnerListSize" integer,
    "totalSalesFromList" integer,
    "createdAt" timestamp(3),
    "updatedAt" timestamp(3),
    "deletedAt" timestamp(3)
);

create table crm."Sublist" (
    "id" text,
    "parentItemId" text,
    "name" text,
    "createdAt" timestamp(3)
);

create table crm."ActivityLog" (
    "id" text,
    "pipelineItemId" text,
    "userId" text,
    "type" crm."ActivityType",
    "scheduledDate" timestamp(3),
    "completedDate" timestamp(3),
    "outcome" crm."ActivityOutcome",
    "fromStatus" crm."PipelineStatus",
    "toStatus" crm."PipelineStatus",
    "notes" text,
    "createdAt" timestamp(3),
    "updatedAt" timestamp(3)
);

create table crm."KpiTarget" (
    "id" text,
    "metric" crm."KpiMetric",
    "period" crm."KpiPeriod",
    "userId" text,
    "targetValue" integer,
    "effectiveFrom" date,
    "effectiveTo" date
);
