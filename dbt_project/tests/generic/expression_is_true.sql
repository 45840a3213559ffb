{# Generic test: every row satisfies the boolean SQL expression (no dbt_utils offline). #}
{% test expression_is_true(model, expression, column_name=none) %}
select * from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
