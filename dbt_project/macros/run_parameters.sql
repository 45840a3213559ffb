{# rules.md G3: every computation takes an explicit run date and evaluation range.

   A run parameter is, in this order:
   1. the dbt var of that name: unit tests pin it with `overrides: vars:`, and a hand-run
      `dbt build --vars '{"run_date": "..."}'` still works;
   2. the environment variable PARTNER_WAREHOUSE_DBT_<NAME>, which the Dagster dbt asset sets for its
      dbt process (orchestration/settings.py ENV_DBT_*);
   3. the default: the date the dbt invocation started (today) for the run date, every date for the
      evaluation range.

   The pipeline does not use --vars because dbt discards its partial parse (a full re-parse, 3-5 s here)
   whenever the command-line vars change, i.e. every run. The environment variable is read only when
   `execute` is true (compiling and running), never while parsing: dbt records an env_var() called at
   parse time and re-parses every file that used it when its value changes. The value cannot matter
   to parsing anyway as long as these macros stay out of config(), ref() and source(). #}
{% macro run_parameter(name, default) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('PARTNER_WAREHOUSE_DBT_' ~ (name | upper), '') -%}
    {%- endif -%}
    {{- return(value or default) -}}
{%- endmacro %}

{% macro run_date() -%}
    cast('{{ run_parameter("run_date", run_started_at.strftime("%Y-%m-%d")) }}' as date)
{%- endmacro %}

{% macro evaluation_from() -%}
    cast('{{ run_parameter("evaluation_from", "1900-01-01") }}' as date)
{%- endmacro %}

{% macro evaluation_to() -%}
    cast('{{ run_parameter("evaluation_to", "9999-12-31") }}' as date)
{%- endmacro %}

{# A boolean switch read from a dbt var (`--vars '{name: false}'` arrives as a bool or a string),
   rendered as the SQL literal true/false. #}
{% macro flag_var(name, default) -%}
    {%- set value = var(name, default) -%}
    {%- if value is string -%}
        {{- 'true' if value | lower in ['true', '1', 'yes', 'on'] else 'false' -}}
    {%- else -%}
        {{- 'true' if value else 'false' -}}
    {%- endif -%}
{%- endmacro %}
