{# Seeds on Spark (session method): every value written as an escaped SQL literal, empty cells as NULL.

   dbt-spark 1.11's spark__load_csv_rows binds values by `sql % parameters` with each value wrapped in
   quotes and nothing escaped: `l'intention` in technology_tier_benefits breaks the INSERT, and an empty
   cell (None) becomes the string 'None' — in a column cast to date or decimal that is NULL by luck,
   in a string column it is the text 'None'. Here each value is rendered by seed_literal below and
   the INSERT carries no bindings. DuckDB keeps dbt-duckdb's own loader (it binds real parameters). #}
{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set types = [] %}
  {% for col_name in agate_table.column_names %}
      {% do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) %}
  {% endfor %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for value in row -%}
                  cast({{ seed_literal(value) }} as {{ types[loop.index0] }}){%- if not loop.last %}, {% endif -%}
              {%- endfor -%}){%- if not loop.last %},{% endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}

{# One CSV value as a Spark SQL literal. Booleans are tested first (True is also a number); Spark
   string literals take backslash escapes, so a backslash is doubled before a quote is escaped. #}
{% macro seed_literal(value) -%}
  {%- if value is none -%}null
  {%- elif value is sameas true -%}true
  {%- elif value is sameas false -%}false
  {%- elif value is number -%}{{ value }}
  {%- else -%}'{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}
