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
    last_error text
);

create index if not exists alert_ledger_firing on ops.alert_ledger (alert_id)
where status = 'firing';

create table if not exists ops.alert_deliveries (
    delivery_id bigserial primary key,
    started_at timestamptz not null default clock_timestamp(),
    finished_at timestamptz,
    as_of timestamptz not null,
    mode text not null check (mode in ('slack', 'dry_run')),
    status text not null
    check (status in ('running', 'delivered', 'nothing_to_post', 'failed', 'dry_run')),
    firing integer not null default 0,
    new_alerts integer not null default 0,
    reminders integer not null default 0,
    resolved integer not null default 0,
    messages_planned integer not null default 0,
    messages_posted integer not null default 0,
    error text
);

comment on table ops.alert_ledger is
'One row per alert fingerprint (marts.alerts.alert_id): when it was first seen and posted, '
'when it was last posted (in full or in a reminder line), its status, and the last delivery '
'error. The hourly Slack post reads it to post only what is new, due or resolved.';
comment on table ops.alert_deliveries is
'One row per alerts delivery run (Dagster asset or emg alerts send): what was planned, how '
'many messages reached Slack, and why a failed run failed. Never holds the webhook URL.';
