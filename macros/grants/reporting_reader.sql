{#-
    Analysts' read-only access (contract §1: analysts query the marts in SQL, read-only).

    create_reporting_reader(): an on-run-start hook. Creates the role `reporting_reader`
    (NOLOGIN: people log in as their own users, made members with
    `grant reporting_reader to <user>`) when it does not exist yet; does nothing when it does,
    so every build may run it. Where the build's user may not create roles, the build stops
    with one line saying what a DBA must run.

    grant_reporting_reader_usage(): an on-run-end hook. Gives the role USAGE on schema marts
    (SELECT on each mart comes from the `grants` config of models/marts in dbt_project.yml,
    applied as each table is built) and takes away anything it holds on the other schemas, so
    it reads the marts and nothing else. Schemas that do not exist yet are skipped.

    Both serve a second role too, `audit_reader` (dbt_project.yml's hooks): the NOLOGIN role
    Superset's login is made a member of for the data-quality dashboard, which reads schema
    audit (SELECT from the `grants` of models/audit) and nothing else. It is kept apart from
    reporting_reader so that analysts never read the audit views (raw rows, rejected ones
    included).
-#}
{% macro create_reporting_reader(role='reporting_reader') -%}
    {{ return(adapter.dispatch('create_reporting_reader', 'emg')(role)) }}
{%- endmacro %}

{#- Roles and grants are PostgreSQL's: another engine (Spark) gets none. -#}
{% macro default__create_reporting_reader(role) -%}
{%- endmacro %}

{% macro postgres__create_reporting_reader(role) -%}
    do $create_role$
    begin
        if not exists (select 1 from pg_catalog.pg_roles where rolname = '{{ role }}') then
            create role {{ adapter.quote(role) }} nologin;
        end if;
    exception
        -- another build created it a moment ago
        when duplicate_object or unique_violation then null;
        when insufficient_privilege then
            raise exception 'role {{ role }} does not exist and % may not create roles; ask a DBA to run: create role {{ role }} nologin', current_user;
    end
    $create_role$
{%- endmacro %}


{% macro grant_reporting_reader_usage(
    role='reporting_reader',
    readable_schemas=['marts'],
    private_schemas=['staging', 'intermediate', 'audit', 'seeds'],
    other_private_schemas=['crm', 'sales_ext', 'ops']
) -%}
    {{ return(adapter.dispatch('grant_reporting_reader_usage', 'emg')(
        role, readable_schemas, private_schemas, other_private_schemas
    )) }}
{%- endmacro %}

{% macro default__grant_reporting_reader_usage(
    role, readable_schemas, private_schemas, other_private_schemas
) -%}
{%- endmacro %}

{% macro postgres__grant_reporting_reader_usage(
    role, readable_schemas, private_schemas, other_private_schemas
) -%}
    {#- the models' schemas as this target names them (generate_schema_name); the sources'
        and ops's are not the models' and keep their names -#}
    {%- set readable = [] -%}
    {#- a developer's target (not prod) grants nothing: analysts read reviewed marts only -#}
    {%- for schema in (readable_schemas if target.name == 'prod' else []) -%}
        {%- do readable.append(generate_schema_name(schema, none) | trim) -%}
    {%- endfor -%}
    {%- set private = other_private_schemas[:] -%}
    {%- for schema in private_schemas -%}
        {%- do private.append(generate_schema_name(schema, none) | trim) -%}
    {%- endfor -%}
    do $grant_usage$
    declare
        schema_name text;
    begin
        foreach schema_name in array array[
            {%- for schema in private %}'{{ schema }}'{{ ', ' if not loop.last }}{% endfor -%}
        ]::text[] loop
            if exists (select 1 from pg_catalog.pg_namespace where nspname = schema_name) then
                execute format('revoke all on all tables in schema %I from {{ adapter.quote(role) }}', schema_name);
                execute format('revoke all on schema %I from {{ adapter.quote(role) }}', schema_name);
            end if;
        end loop;
        foreach schema_name in array array[
            {%- for schema in readable %}'{{ schema }}'{{ ', ' if not loop.last }}{% endfor -%}
        ]::text[] loop
            if exists (select 1 from pg_catalog.pg_namespace where nspname = schema_name) then
                execute format('grant usage on schema %I to {{ adapter.quote(role) }}', schema_name);
            end if;
        end loop;
    end
    $grant_usage$
{%- endmacro %}


{#- dbt's apply_grants on Spark: a grants config whose every list is empty (the marts' and
    audit's on any target but prod) grants nothing, so nothing is asked; dbt's own would
    still run SHOW GRANTS, which a local Spark session (no authorization) refuses. A real
    grant goes to dbt's own. -#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
    {%- set grantees = grant_config.values() | sum(start=[]) if grant_config else [] -%}
    {%- if grantees | length > 0 -%}
        {{ default__apply_grants(relation, grant_config, should_revoke) }}
    {%- endif -%}
{%- endmacro %}
