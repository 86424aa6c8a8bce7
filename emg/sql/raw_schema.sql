-- The CRM's tables as Prisma Migrate creates them, replicated into the warehouse (contract §2).
-- Prisma's names (quoted camelCase); enums are PostgreSQL enum types named after the Prisma
-- schema's enums (quoted PascalCase), timestamps are timestamp(3) without time zone holding
-- UTC, integers integer, ids text. A replica carries no constraints: duplicates, orphans and
-- nulls can arrive, and staging sorts them out (contract §8).
--
-- This is the shape a logical replica or a restore keeps. `emg crm generate --enum-columns
-- text` turns the enum columns into text afterwards, as most replication tools write them
-- (emg/simulator/load.py); the values of each type are those of
-- emg/simulator/tables.py.
create schema if not exists crm;

create type crm."Role" as enum ('BDR', 'LEAD_GEN', 'MANAGER', 'ADMIN');

create type crm."PipelineStatus" as enum (
    'LEAD',
    'CALL_BOOKED',
    'CALL_CONDUCTED',
    'PROPOSAL_SENT',
    'PROPOSAL_FOLLOW_UP',
    'AGREEMENT_SIGNED',
    'PARTNER_LIST_SENT',
    'SOLD',
    'LIST_OUT_NOT_SOLD',
    'FREE_QA_OFFERED',
    'LOST'
);

create type crm."ActivityType" as enum ('CALL', 'EMAIL', 'MEETING', 'NOTE', 'STATUS_CHANGE');

create type crm."ActivityOutcome" as enum ('COMPLETED', 'NO_SHOW', 'CANCELLED', 'RESCHEDULED');

create type crm."KpiMetric" as enum (
    'CALLS_COMPLETED', 'AGREEMENTS', 'LISTS_OUT', 'UPCOMING_CALLS', 'SALES'
);

create type crm."KpiPeriod" as enum ('WEEK', 'MONTH');

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
    "totalSalesFromList" numeric(12, 2),
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
