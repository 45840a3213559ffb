{# rules.md G3: every computation takes an explicit run date and evaluation range.

   A run parameter is the dbt var of that name: the Dagster dbt asset passes the run's with `--vars`
   (its evaluation range is the run's partition range, issue 14 item 2), unit tests pin them with
   `overrides: vars:`, a hand-run `dbt build --vars '{"run_date": "..."}'` works the same way.
   Without it: the date the dbt invocation started (today) for the run date, every date for the
   evaluation range. #}
{% macro run_parameter(name, default) -%}
    {{- return(var(name, none) or default) -}}
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
