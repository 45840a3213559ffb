{# A key, single or composite: no two rows share its columns' values and none of them is null (unique +
   not_null in one scan of the model; no dbt packages are reachable offline, so no dbt_utils). #}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
    {%- for column in columns %}
    or {{ column }} is null
    {%- endfor %}
{% endtest %}
