{#-
    What fct_events changed, for the as-of marts that group it to redo only that
    (call_heatmap). Statement triggers on fct_events write the type, lead, owner, instant and
    local date of every event a run deletes (`change` -1) or inserts (+1) to
    intermediate.event_changes (a change log, change_logs.sql): a consumer redoes the groups
    an event left and the ones it joined. A run redoes whole leads, so most events it
    deletes come back unchanged; a consumer sums `change` over the columns it reads and
    skips what sums to zero. A run that redoes every event (a full refresh, a first
    build, a source redone whole) writes one marker row, a null event_type, instead of its
    millions of rows: it empties the table with TRUNCATE and its triggers are disabled until
    its post-hook creates them again (a statement trigger would otherwise copy every row it
    inserts, at scale 1000 3 M, to its transition table).
-#}
{% macro event_changes() -%}
    {{ return(warehouse_state_table('event_changes')) }}
{%- endmacro %}


{#- The log and the trigger function writing it, created before every build
    (create_incremental_state). -#}
{% macro create_event_changes() -%}
    {%- set columns = 'event_type, lead_id, bdr_id, is_bdr, occurred_at, occurred_date' -%}
    create table if not exists {{ event_changes() }} (
        change_id bigserial primary key,
        change smallint,
        event_type text,
        lead_id text,
        bdr_id text,
        is_bdr boolean,
        occurred_at timestamp,
        occurred_date date
    );
    create or replace function {{ event_changes().schema }}.emg_log_event_changes()
    returns trigger language plpgsql as $emg$
    begin
        if tg_op in ('DELETE', 'UPDATE') then
            insert into {{ event_changes() }} (change, {{ columns }})
            select -1, {{ columns }} from emg_old_rows;
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
            insert into {{ event_changes() }} (change, {{ columns }})
            select 1, {{ columns }} from emg_new_rows;
        end if;
        return null;
    end
    $emg$
{%- endmacro %}


{#- fct_events' post-hook: its triggers (replaced every run, so a rebuilt table has them). -#}
{% macro log_event_changes_triggers() -%}
    {{ return(adapter.dispatch('log_event_changes_triggers', 'emg')()) }}
{%- endmacro %}

{#- Other engines (Spark) rebuild fct_events and its consumers whole: no change log. -#}
{% macro default__log_event_changes_triggers() -%}
{%- endmacro %}

{% macro postgres__log_event_changes_triggers() -%}
    {%- set transitions = {
        'insert': 'new table as emg_new_rows',
        'delete': 'old table as emg_old_rows',
        'update': 'old table as emg_old_rows new table as emg_new_rows',
    } -%}
    {%- for operation, transition in transitions.items() %}
    drop trigger if exists emg_log_{{ operation }}s on {{ this }};
    create trigger emg_log_{{ operation }}s
        after {{ operation }} on {{ this }}
        referencing {{ transition }}
        for each statement
        execute function {{ event_changes().schema }}.emg_log_event_changes();
    {%- endfor %}
{%- endmacro %}


{#- In fct_events' pre-hook, before a run that redoes every event: one marker row says that
    everything changed, and the triggers of the table (if it exists) are off until the
    post-hook creates them again. -#}
{% macro log_every_event_changed() -%}
    {{ return(adapter.dispatch('log_every_event_changed', 'emg')()) }}
{%- endmacro %}

{% macro default__log_every_event_changed() -%}
{%- endmacro %}

{% macro postgres__log_every_event_changed() -%}
    insert into {{ event_changes() }} (event_type) values (null);
    alter table if exists {{ this }} disable trigger user
{%- endmacro %}


{#- A consumer of event_changes: its watermark (change_log_watermark). -#}
{% macro event_changes_watermark(redo_all=false) -%}
    {{ return(change_log_watermark(
        event_changes(), 'events_read_through', 'event_type is null', redo_all
    )) }}
{%- endmacro %}


{#- A consumer's post-hook: remember_sources (no table; `values`), then the last change_id of
    event_changes it read. -#}
{% macro remember_event_changes_read(values={}) -%}
    {{ return(adapter.dispatch('remember_event_changes_read', 'emg')(values)) }}
{%- endmacro %}

{% macro default__remember_event_changes_read(values) -%}
{%- endmacro %}

{% macro postgres__remember_event_changes_read(values) -%}
    {{ remember_sources([], values) }};
    {{ remember_change_log_read(event_changes(), 'events_read_through') }}
{%- endmacro %}


{#- The as-of marts that consume event_changes (call_heatmap) also redo everything when they
    have no as_of of a last run, or when the metric catalogue changed (what counts as which
    metric): as_of_consumer_values is what they keep. -#}
{% macro as_of_consumer_is_stale() -%}
    {{ return(remembered('as_of') is none or remembered('catalogue') != catalogue_checksum()) }}
{%- endmacro %}


{% macro as_of_consumer_values() -%}
    {%- if not execute or target.type != 'postgres' -%}{{ return({}) }}{%- endif -%}
    {{ return({
        'as_of': as_of_utc().strftime('%Y-%m-%d %H:%M:%S.%f'),
        'catalogue': catalogue_checksum(),
    }) }}
{%- endmacro %}


{#- The checksum of the seed metric_catalogue's rows (a string). -#}
{% macro catalogue_checksum() -%}
    {%- set query -%}
        select md5(string_agg(cast(catalogue as text), '|' order by cast(catalogue as text)))
        from {{ ref('metric_catalogue') }} as catalogue
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}
