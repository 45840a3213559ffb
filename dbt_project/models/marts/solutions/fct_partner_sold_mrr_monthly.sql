-- rules.md B7, D18: sold MRR of partner p in month m = the sum over the associations p holds in m of
-- max(0, line_mrr(m) - line_mrr(m - 12 months)), where the earlier value is what the portal actually
-- paid on that line (0 if nothing). One row per partner and covered month in which it holds at
-- least one association (0 when no line grew).
select
    cast(partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(month as date) as month,
    cast(
        sum(
            case
                when line_mrr_usd > line_mrr_12_months_before_usd
                    then line_mrr_usd - line_mrr_12_months_before_usd
                else 0
            end
        ) as decimal(18, 2)
    ) as sold_mrr,
    cast(count(*) as integer) as associations_held,
    cast(sum(line_mrr_usd) as decimal(18, 2)) as held_line_mrr_usd,
    cast({{ period_is_complete('month', 1) }} as boolean) as is_complete,
    cast({{ run_date() }} as date) as run_date
from {{ ref('int_solutions__association_months') }}
group by partner_id, month
