{# Date arithmetic of every model, one argument order: the date first, then the amount.
   Each returns a DATE (rules.md G1: dates compare by calendar day) and is built on dbt's
   cross-database macros so the models stay portable (DuckDB's dateadd returns a timestamp, hence the
   cast). #}

{% macro add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{% macro add_months(date_expr, months) -%}
    cast({{ dbt.dateadd('month', months, date_expr) }} as date)
{%- endmacro %}

{% macro add_years(date_expr, years) -%}
    cast({{ dbt.dateadd('year', years, date_expr) }} as date)
{%- endmacro %}

{# rules.md G4: a month is keyed by its first day, as a DATE. #}
{% macro month_of(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{# Integers 0 .. 10^digits - 1 from cross-joined digits: a portable number series (no generate_series,
   which Spark and Trino spell differently). #}
{% macro integers(digits=3) -%}
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

{# Issue 16 item 2 (G3): a month or quarter row is complete when its period ended before the run
   date, i.e. the next period starts on or before it. A period still running on the run date (the
   current quarter of a payout) is not complete: its figures can still grow. #}
{% macro period_is_complete(period_start, months) -%}
    ({{ add_months(period_start, months) }} <= {{ run_date() }})
{%- endmacro %}
