{# The values of `measure` in one string, sorted ascending by the measure itself, joined by
   `delimiter_text` (a SQL string literal); NULL when the group has no non-null value, like SQL's
   string_agg. Used where a list is reported to partners (fct_technology_tier_evaluations'
   next_tier_blocking_requirements, rules.md A10): the order must not depend on the engine.

   DuckDB keeps dbt's listagg (an ordered string_agg). dbt-spark's listagg ignores the order argument
   (only a warning), so collect_list would give an order that changes with the partitioning: Spark
   sorts the collected array instead. array_sort orders like ORDER BY on strings (binary collation,
   ascending) and collect_list drops NULLs as string_agg does. #}
{% macro ordered_listagg(measure, delimiter_text) -%}
    {{ return(adapter.dispatch('ordered_listagg')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text) -%}
    {{ dbt.listagg(measure, delimiter_text, "order by " ~ measure) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text) -%}
    case when count({{ measure }}) > 0 then array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }}) end
{%- endmacro %}
