-- rules.md A3, D3: portal_mrr(p, m) = the portal's mrr_usd summed over its product lines in month m,
-- without the excluded (non-recurring) lines of technology_mrr_excluded_product_lines (credit_overage).
select
    mrr.portal_id,
    mrr.month,
    cast(sum(mrr.mrr_usd) as decimal(18, 2)) as portal_mrr
from {{ ref('stg_hubspot__portal_mrr_monthly') }} as mrr
-- only the months of the windows that are computed (int_technology__metric_months)
inner join {{ ref('int_technology__metric_months') }} as months
    on months.month = mrr.month
where not exists (
        select 1
        from {{ ref('technology_mrr_excluded_product_lines') }} as excluded
        where excluded.product_line = mrr.product_line
    )
group by mrr.portal_id, mrr.month
