-- rules.md B5, D17, D18, D20: one row per association and covered month it is held:
-- start_month <= month < end_month (D17: ends at the first month with MRR 0, never resumes), within
-- the months of portal_mrr_monthly. Carries the line's MRR that month and 12 months earlier (D18:
-- what the portal actually paid, 0 if none) and the commission month number (D20: the close month
-- is month 1). Sold MRR and commission accruals are derived from it.
select
    associations.association_id,
    associations.partner_id,
    associations.portal_id,
    associations.product_line,
    associations.deal_id,
    months.month,
    -- LT05 measures the rendered line, and dbt.datediff renders long on DuckDB
    cast(
        {{ dbt.datediff('associations.start_month', 'months.month', 'month') }} + 1  -- noqa: LT05
        as integer
    ) as month_number,
    cast(coalesce(current_mrr.mrr_usd, 0) as decimal(18, 2)) as line_mrr_usd,
    cast(coalesce(previous_year_mrr.mrr_usd, 0) as decimal(18, 2)) as line_mrr_12_months_before_usd,
    associations.commission_program,
    associations.commission_rate,
    associations.commission_months
from {{ ref('int_solutions__associations') }} as associations
inner join {{ ref('int_solutions__mrr_months') }} as months
    on months.month >= associations.start_month
    and (associations.end_month is null or months.month < associations.end_month)
left join {{ ref('int_solutions__deal_line_mrr_monthly') }} as current_mrr
    on current_mrr.portal_id = associations.portal_id
    and current_mrr.product_line = associations.product_line
    and current_mrr.month = months.month
left join {{ ref('int_solutions__deal_line_mrr_monthly') }} as previous_year_mrr
    on previous_year_mrr.portal_id = associations.portal_id
    and previous_year_mrr.product_line = associations.product_line
    and previous_year_mrr.month = {{ add_months('months.month', -12) }}
