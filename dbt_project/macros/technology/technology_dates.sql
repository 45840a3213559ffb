{# Date arithmetic of the tier engine, always returning a DATE (rules.md G1: dates compare by calendar
   day). Built on dbt's cross-database dateadd so the models stay portable (DuckDB's dateadd returns a
   timestamp, hence the cast). #}

{% macro technology_add_days(days, date_expr) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{% macro technology_add_months(months, date_expr) -%}
    cast({{ dbt.dateadd('month', months, date_expr) }} as date)
{%- endmacro %}

{% macro technology_add_years(years, date_expr) -%}
    cast({{ dbt.dateadd('year', years, date_expr) }} as date)
{%- endmacro %}

{# rules.md G4: a month is keyed by its first day. #}
{% macro technology_month_of(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{# Integers 0 .. 10^digits - 1 from cross-joined digits: a portable number series (no generate_series,
   which Spark and Trino spell differently). #}
{% macro technology_integers(digits=3) -%}
    select
        {% for i in range(digits) -%}
        d{{ i }}.digit * {{ 10 ** i }}{% if not loop.last %} + {% endif %}
        {%- endfor %} as n
    from
        {% for i in range(digits) -%}
        (
            select 0 as digit union all select 1 union all select 2 union all select 3
            union all select 4 union all select 5 union all select 6 union all select 7
            union all select 8 union all select 9
        ) as d{{ i }}{% if not loop.last %} cross join {% endif %}
        {% endfor %}
{%- endmacro %}
