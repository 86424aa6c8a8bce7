-- The Slack alerts' delivery ledger. Created (if missing) by every delivery; owned by the
-- orchestration, not by dbt: it records what reached Slack, which no rebuild may forget.
create schema if not exists ops;

create table if not exists ops.alert_ledger (
    alert_id text primary key,
    rule text not null,
    priority text not null,
    bdr_id text,
    message text not null,
    week_start date not null,
    status text not null check (status in ('firing', 'resolved', 'expired')),
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    first_posted_at timestamptz,
    last_posted_at timestamptz,
    times_posted integer not null default 0,
    closed_at timestamptz,
    resolved_posted_at timestamptz,
    last_error text,
    held_since timestamptz,
    stopped_at timestamptz
);

-- Office hours (contract §6) came after the first ledgers: a ledger made before gains them.
alter table ops.alert_ledger add column if not exists held_since timestamptz;
alter table ops.alert_ledger add column if not exists stopped_at timestamptz;

create index if not exists alert_ledger_firing on ops.alert_ledger (alert_id)
where status = 'firing';

create table if not exists ops.alert_deliveries (
    delivery_id bigserial primary key,
    started_at timestamptz not null default clock_timestamp(),
    finished_at timestamptz,
    as_of timestamptz not null,
    mode text not null check (mode in ('slack', 'dry_run')),
    status text not null
    constraint alert_deliveries_status_check
    check (status in ('running', 'delivered', 'nothing_to_post', 'failed', 'dry_run', 'held')),
    firing integer not null default 0,
    new_alerts integer not null default 0,
    reminders integer not null default 0,
    resolved integer not null default 0,
    messages_planned integer not null default 0,
    messages_posted integer not null default 0,
    error text,
    held integer not null default 0
);

alter table ops.alert_deliveries add column if not exists held integer not null default 0;
do $$
begin
    -- a table made before office hours allows no status 'held' yet
    if not exists (
        select 1 from pg_constraint
        where conname = 'alert_deliveries_status_check'
            and pg_get_constraintdef(oid) like '%held%'
    ) then
        alter table ops.alert_deliveries drop constraint if exists alert_deliveries_status_check;
        alter table ops.alert_deliveries add constraint alert_deliveries_status_check
        check (status in ('running', 'delivered', 'nothing_to_post', 'failed', 'dry_run', 'held'));
    end if;
end
$$;

comment on table ops.alert_ledger is
'One row per alert fingerprint (marts.alerts.alert_id): when it was first seen and posted, '
'when it was last posted (in full or in a reminder line), its status, and the last delivery '
'error. The hourly Slack post reads it to post only what is new, due or resolved. Outside '
'office hours it keeps what is owed: held_since (a post waits for office hours) and '
'stopped_at (a posted alert stopped firing in its week: its resolved line is owed).';
comment on table ops.alert_deliveries is
'One row per alerts delivery run (Dagster asset or emg alerts send): what was planned, how '
'many messages reached Slack, how many alerts it held for office hours, and why a failed '
'run failed. Never holds the webhook URL.';
