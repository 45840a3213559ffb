-- rules.md B5, D17, D18, D20: one row per association and covered month it is held:
-- start_month <= month < end_month (D17: ends at the first month with MRR 0, never resumes), within
-- the months of portal_mrr_monthly. Carries the line's MRR that month and 12 months earlier (D18:
-- what the portal actually paid, 0 if none) and the commission month number (D20: the close month
-- is month 1). Sold MRR and commission accruals are derived from it.
select
    a.association_id,
    a.partner_id,
    a.portal_id,
    a.product_line,
    a.deal_id,
    mo.month,
    cast({{ dbt.datediff('a.start_month', 'mo.month', 'month') }} + 1 as integer) as month_number,
    cast(coalesce(cur.mrr_usd, 0) as decimal(18, 2)) as line_mrr_usd,
    cast(coalesce(prev.mrr_usd, 0) as decimal(18, 2)) as line_mrr_12_months_before_usd,
    a.commission_program,
    a.commission_rate,
    a.commission_months
from {{ ref('int_solutions__associations') }} as a
inner join {{ ref('int_solutions__mrr_months') }} as mo
    on mo.month >= a.start_month
    and (a.end_month is null or mo.month < a.end_month)
left join {{ ref('int_solutions__deal_line_mrr_monthly') }} as cur
    on cur.portal_id = a.portal_id
    and cur.product_line = a.product_line
    and cur.month = mo.month
left join {{ ref('int_solutions__deal_line_mrr_monthly') }} as prev
    on prev.portal_id = a.portal_id
    and prev.product_line = a.product_line
    and prev.month = {{ add_months('mo.month', -12) }}
