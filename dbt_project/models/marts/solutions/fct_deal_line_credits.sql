-- rules.md B1-B6, D14-D17: one row per line item of every closed-won deal, with exactly one outcome
-- (first that applies, in B6's order) and the credited partner on `credited` rows only.
-- Logic: int_solutions_deal_line_outcomes (order dependence: see there and docs/rules-part-b.md).
select
    cast(deal_id as varchar) as deal_id,
    cast(product_line as varchar) as product_line,
    cast(credited_partner_id as varchar) as credited_partner_id,
    cast(outcome as varchar) as outcome,
    cast(portal_id as varchar) as portal_id,
    cast(collaboration_type as varchar) as collaboration_type,
    cast(closed_on as date) as closed_on,
    cast(close_month as date) as close_month,
    cast(edition as varchar) as edition,
    cast(line_mrr_usd as decimal(18, 2)) as line_mrr_usd,
    cast(best_partner_rule as varchar) as best_partner_rule,
    cast(best_partner_id as varchar) as best_partner_id,
    cast(decision_partner_id as varchar) as decision_partner_id,
    cast(holder_partner_id as varchar) as holder_partner_id,
    cast(creates_association as boolean) as creates_association
from {{ ref('int_solutions_deal_line_outcomes') }}
