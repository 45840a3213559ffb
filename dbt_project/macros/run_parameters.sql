{# rules.md G3: every computation takes an explicit run date. The caller passes `run_date`;
   when it does not, the default is the date the dbt invocation started (today), read once. #}
{% macro run_date() -%}
    cast('{{ var("run_date", run_started_at.strftime("%Y-%m-%d")) }}' as date)
{%- endmacro %}

{% macro evaluation_from() -%}
    cast('{{ var("evaluation_from") }}' as date)
{%- endmacro %}

{% macro evaluation_to() -%}
    cast('{{ var("evaluation_to") }}' as date)
{%- endmacro %}
