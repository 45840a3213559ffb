{# Generic test: the model returns no rows. Used with severity warn on the solutions reports that
   list oddities (rules.md B2, Part C: a closed-won deal without line items is a warning). #}
{% test expect_no_rows(model) %}
select * from {{ model }}
{% endtest %}
