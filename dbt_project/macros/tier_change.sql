{# rules.md A9 (and D11, D12, D13): the tier change at an evaluation date E.

   `c` is an SQL expression for the rank of the tier in force before E (C; null = none) and `i` the
   alias of a relation holding, per partner and E:
     has_live_listing, qualified_rank (X), qualified_on_performance_rank (X_perf), in_good_standing,
     form_window_open (run date <= E + POC window), downgrade_window (E in January/July),
     downgrades_in_force (E >= downgrades_from), not_in_program_rank, partner_rank.
   The rows of the A9 table are tried top to bottom; the first that matches decides.
   The expressions are inlined (no subquery) so they can be used in the recursive member of the tier
   chain on every engine that supports recursive CTEs. #}

{% macro technology_a9_action(c, i) -%}
    case
        -- row 1
        when not {{ i }}.has_live_listing and {{ c }} is not null and {{ c }} <> {{ i }}.not_in_program_rank
            then 'left_program'
        -- row 2
        when not {{ i }}.has_live_listing then 'not_in_program'
        -- row 3
        when {{ c }} = {{ i }}.not_in_program_rank then 'joined'
        -- row 4 (A8, D12)
        when {{ i }}.qualified_on_performance_rank > {{ c }} and not {{ i }}.in_good_standing
            then 'upgrade_held_compliance'
        -- row 5 (D13: may jump several tiers)
        when {{ i }}.qualified_on_performance_rank > {{ c }}
            and {{ i }}.qualified_rank = {{ i }}.qualified_on_performance_rank
            then 'upgrade'
        -- rows 6 and 7 (A7, D10, D11)
        when {{ i }}.qualified_on_performance_rank > {{ c }} and {{ i }}.form_window_open
            then 'upgrade_pending_poc_form'
        when {{ i }}.qualified_on_performance_rank > {{ c }} then 'upgrade_deferred_no_poc_form'
        -- row 8 (D13: may drop several tiers)
        when {{ i }}.qualified_rank < {{ c }} and {{ i }}.downgrade_window and {{ i }}.downgrades_in_force
            then 'downgrade'
        -- row 9
        when {{ i }}.qualified_rank < {{ c }} and not {{ i }}.downgrades_in_force then 'downgrade_waived_2026'
        -- row 10
        when {{ i }}.qualified_rank < {{ c }} and not {{ i }}.downgrade_window then 'downgrade_not_in_window'
        -- row 11
        else 'unchanged'
    end
{%- endmacro %}

{# The rank of tier_after for the action chosen by technology_a9_action. #}
{% macro technology_a9_tier_after(action, c, i) -%}
    case {{ action }}
        when 'left_program' then {{ i }}.not_in_program_rank
        when 'not_in_program' then {{ i }}.not_in_program_rank
        when 'joined' then {{ i }}.partner_rank
        when 'upgrade' then {{ i }}.qualified_on_performance_rank
        -- max(C, X); written as a case because greatest() treats nulls differently across engines
        when 'upgrade_pending_poc_form' then
            case when {{ i }}.qualified_rank > {{ c }} then {{ i }}.qualified_rank else {{ c }} end
        when 'upgrade_deferred_no_poc_form' then
            case when {{ i }}.qualified_rank > {{ c }} then {{ i }}.qualified_rank else {{ c }} end
        when 'downgrade' then {{ i }}.qualified_rank
        else {{ c }}
    end
{%- endmacro %}

{# One step of the A9 chain from C (the tier before) for the inputs row `i`: the action and tier_after
   columns. A date whose metrics are not computed (int_technology__metric_dates: settled, never reported)
   takes its tier from the publication instead. #}
{% macro technology_chain_step(c, i) -%}
    cast(case
            when not {{ i }}.metrics_computed then 'taken_from_publication'
            else {{ technology_a9_action(c, i) }}
        end as {{ dbt.type_string() }}) as action,
        cast(case
            when not {{ i }}.metrics_computed then {{ i }}.published_rank
            else {{ technology_a9_tier_after(technology_a9_action(c, i), c, i) }}
        end as integer) as tier_after_rank
{%- endmacro %}

{# D11: the upgrade waiting for (or lacking) the POC form is reported as pending_tier = X_perf. #}
{% macro technology_a9_pending_rank(action, i) -%}
    cast(case
        when {{ action }} in ('upgrade_pending_poc_form', 'upgrade_deferred_no_poc_form')
            then {{ i }}.qualified_on_performance_rank
    end as integer)
{%- endmacro %}

{# D13: rows 9 and 10 keep a tier the partner no longer qualifies for. #}
{% macro technology_a9_at_risk(action) -%}
    {{ action }} in ('downgrade_waived_2026', 'downgrade_not_in_window')
{%- endmacro %}
