{#-
    dbt-spark's seed loading, with its values written as escaped SQL literals. dbt-spark's
    session method puts each value into the statement as '<value>' with nothing escaped and a
    null as the text 'None': a seed text with an apostrophe (alert_rules' descriptions) broke
    the statement, and an empty cell became 'None'. Here a null is null and a value is cast
    from a string literal with its backslashes and quotes escaped, to the seed's column type
    (column_types, else the type dbt infers). Spark only: PostgreSQL loads seeds dbt's way.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(
            column_name, adapter.convert_type(agate_table, loop.index0)
        )) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            (
                {%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ types[loop.index0] }})
                    {%- else -%}
                        {%- set text = (value | string).replace('\\', '\\\\').replace("'", "\\'") -%}
                        cast('{{ text }}' as {{ types[loop.index0] }})
                    {%- endif -%}
                    {{- ", " if not loop.last -}}
                {%- endfor -%}
            ){{ "," if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
