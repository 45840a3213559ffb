-- rules.md B9, D20, D17: monthly commission accruals per partner, association and month: rate x the
-- line's actual MRR that month (upsells earn on the full current value; the clock never restarts),
-- for months 1..commission_months (the close month is month 1), while the association is held (stops
-- from the first month the line's MRR is 0, never resumes). Each accrual is rounded to cents; the
-- quarterly payout is the sum of these rounded accruals.
-- D17 (revised 2026-12-04): an association is held through a billing lag, whose months carry MRR 0;
-- they accrue nothing, so they give no accrual row (nor a 0 payout), but they count on the clock.
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(association_id as {{ dbt.type_string() }}) as association_id,
    cast(month as date) as month,
    cast(deal_id as {{ dbt.type_string() }}) as deal_id,
    cast(portal_id as {{ dbt.type_string() }}) as portal_id,
    cast(product_line as {{ dbt.type_string() }}) as product_line,
    cast(month_number as integer) as month_number,
    cast(commission_program as {{ dbt.type_string() }}) as commission_program,
    cast(commission_rate as decimal(9, 4)) as commission_rate,
    cast(line_mrr_usd as decimal(18, 2)) as line_mrr_usd,
    cast(round(commission_rate * line_mrr_usd, 2) as decimal(18, 2)) as accrual_usd,
    cast({{ period_is_complete('month', 1) }} as boolean) as is_complete,
    cast({{ run_date() }} as date) as run_date
from {{ ref('int_solutions__association_months') }}
where commission_program <> 'none'
  and commission_rate is not null
  and month_number <= commission_months
  and line_mrr_usd > 0
