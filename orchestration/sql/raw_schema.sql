-- The CRM's tables as the replication tool lands them in the warehouse (SPEC §2).
-- Prisma's names (quoted camelCase), timestamps are timestamp(3) without time zone holding UTC,
-- ids are text. A replica carries no constraints: duplicates, orphans and nulls can arrive,
-- and staging sorts them out (SPEC §8).
create schema if not exists crm;

create table crm."User" (
    "id" text,
    "name" text,
    "email" text,
    "role" text,
    "team" text,
    "isActive" boolean,
    "createdAt" timestamp(3),
    "updatedAt" timestamp(3)
);

create table crm."PipelineItem" (
    "id" text,
    "name" text,
    "category" text,
    "status" text,
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
    "type" text,
    "scheduledDate" timestamp(3),
    "completedDate" timestamp(3),
    "outcome" text,
    "fromStatus" text,
    "toStatus" text,
    "notes" text,
    "createdAt" timestamp(3),
    "updatedAt" timestamp(3)
);

create table crm."KpiTarget" (
    "id" text,
    "metric" text,
    "period" text,
    "userId" text,
    "targetValue" integer,
    "effectiveFrom" date,
    "effectiveTo" date
);
