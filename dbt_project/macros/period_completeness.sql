{# Issue 16 item 2: a month or quarter row is complete when its period ended before the run date
   (G3): the next period starts on or before the run date. A period still running on the run date
   (the current quarter of a payout) is not complete: its figures can still grow. #}
{% macro period_is_complete(period_start, months) -%}
    ({{ dbt.dateadd('month', months, period_start) }} <= {{ run_date() }})
{%- endmacro %}
