-- The external sales feed (SPEC §2), written by `emg sales load` and the simulator.
-- loaded_at is when the row was last written here: the source freshness column.
create schema if not exists sales_ext;

create table if not exists sales_ext.sales (
    sale_id text primary key,
    pipeline_item_id text,
    sold_at timestamptz,
    amount numeric(12, 2),
    currency text,
    loaded_at timestamptz not null default now()
);
