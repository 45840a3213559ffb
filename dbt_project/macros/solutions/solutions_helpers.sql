{# Helpers of the Solutions Partner credit engine (rules.md Part B). Portable: they expand to the
   dbt cross-database macros, so the models move to Spark/Trino unchanged. #}

{# rules.md G4: a month is keyed by its first day, as a DATE. #}
{% macro solutions_month(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{# A month `n` months after (before, when negative) the month `month_expr`, as a DATE. #}
{% macro solutions_add_months(month_expr, n) -%}
    cast({{ dbt.dateadd('month', n, month_expr) }} as date)
{%- endmacro %}

{# A boolean switch read from a dbt var (`--vars '{name: false}'` arrives as a bool or a string). #}
{% macro solutions_flag(name, default) -%}
    {%- set value = var(name, default) -%}
    {%- if value is string -%}
        {{- 'true' if value | lower in ['true', '1', 'yes', 'on'] else 'false' -}}
    {%- else -%}
        {{- 'true' if value else 'false' -}}
    {%- endif -%}
{%- endmacro %}
