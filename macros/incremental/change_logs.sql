{#-
    Change logs: tables where a model writes what it changed, for the models downstream to
    redo exactly that. intermediate.staged_changes holds the raw ids staging redid
    (source_changes.sql); intermediate.event_changes the events fct_events deleted or
    inserted (event_changes.sql). Each row has a serial `change_id`, so a log is ordered
    whatever the clock does; a marker row (a log's own null column) says that everything
    was redone. A consumer remembers the last change_id it read in incremental_state, under
    a name of its log (`read_name`); rows every consumer of a log has read are deleted, but
    the newest.
-#}

{#- A consumer of a change log: the last change_id it read, as a string, when the run can
    redo only what changed since; the start of time when it must redo everything (a
    `--full-refresh` build, which the public marts take in place, `full_refresh=false`, so
    that analysts' views and grants on them survive; it has never read the log; a marker,
    `marker_sql` a condition on the log's rows, was written since; or `redo_all`); none on a
    first build or in a unit test. -#}
{% macro change_log_watermark(log, read_name, marker_sql, redo_all=false) -%}
    {%- if not incremental_run() -%}{{ return(none) }}{%- endif -%}
    {%- set read = remembered(read_name) -%}
    {%- if redo_all or read is none or flags.FULL_REFRESH -%}
        {{ return(start_of_time()) }}
    {%- endif -%}
    {%- set query -%}
        select count(*)
        from {{ log }}
        where change_id > {{ read | int }} and ({{ marker_sql }})
    {%- endset -%}
    {%- if run_query(query).columns[0].values()[0] > 0 -%}
        {{ return(start_of_time()) }}
    {%- endif -%}
    {{ return(read | string) }}
{%- endmacro %}


{#- A consumer's post-hook (after remember_sources, which clears what the model kept): the
    last change_id of `log` this run read; then delete the rows every consumer has read. -#}
{% macro remember_change_log_read(log, read_name) -%}
    insert into {{ incremental_state() }} (model, name, value)
    select '{{ this.identifier }}', '{{ read_name }}', cast(coalesce(max(change_id), 0) as text)
    from {{ log }};
    -- the newest row stays, so the log's max(change_id) never goes back
    delete from {{ log }}
    where change_id < (
        select min(cast(value as bigint)) from {{ incremental_state() }}
        where name = '{{ read_name }}'
    )
{%- endmacro %}
