-- rules.md B1-B6, D14-D17: one row per line item of every closed-won deal, with exactly one outcome
-- (first that applies, in B6's order) and the credited partner on `credited` rows only.
-- Logic: int_solutions__deal_line_outcomes (order dependence: see there and docs/rules-part-b.md).
select
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(product_line as {{ dbt.type_string() }}) as product_line,
    cast(credited_partner_id as {{ dbt.type_string() }}) as credited_partner_id,
    cast(outcome as {{ dbt.type_string() }}) as outcome,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(collaboration_type as {{ dbt.type_string() }}) as collaboration_type,
    cast(closed_on as date) as closed_on,
    cast(close_month as date) as close_month,
    cast(edition as {{ dbt.type_string() }}) as edition,
    cast(line_mrr_usd as decimal(18, 2)) as line_mrr_usd,
    cast(best_partner_rule as {{ dbt.type_string() }}) as best_partner_rule,
    cast(best_partner_id as {{ dbt.type_string() }}) as best_partner_id,
    cast(decision_partner_id as {{ dbt.type_string() }}) as decision_partner_id,
    cast(holder_partner_id as {{ dbt.type_string() }}) as holder_partner_id,
    cast(creates_association as boolean) as creates_association
from {{ ref('int_solutions__deal_line_outcomes') }}
