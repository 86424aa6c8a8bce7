-- The external sales feed (contract §2), written by `emg sales load` and the simulator.
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

-- Every version of a sale that a re-load replaced, as it was (loaded_at: when that version
-- was written), with replaced_at, the time of the load that replaced it. `emg sales load`
-- writes it in the transaction that changes the sale, so no earlier figure is lost.
create table if not exists sales_ext.sales_history (
    sale_id text not null,
    pipeline_item_id text,
    sold_at timestamptz,
    amount numeric(12, 2),
    currency text,
    loaded_at timestamptz not null,
    replaced_at timestamptz not null
);

create index if not exists sales_history_sale_id_idx
on sales_ext.sales_history (sale_id, replaced_at);
