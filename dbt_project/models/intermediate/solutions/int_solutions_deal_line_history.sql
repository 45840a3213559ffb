-- rules.md D15 (already owned), D17 (association end): for every line item of a closed-won deal
-- (overage excluded), what the portal paid for that product line before the deal's close month,
-- and the first month from the close month on in which the line's MRR is 0.
--   * D15 paid = MRR > 0 in a month before the close month. `all_starter_before` is true when every
--     such month was starter; `last_paid_edition_before` is the edition of the latest such month.
--   * D17 `end_month` = the first month >= close month, among the months covered by
--     portal_mrr_monthly, in which the line has no row or MRR 0; null when the line is paid up to
--     the last covered month. An association created by this deal would end there, never resuming.
-- Months before the first covered month are unknown and count as not paid.
with lines as (
    select deal_id, portal_id, product_line, close_month
    from {{ ref('int_solutions_deal_lines') }}
    where close_month is not null
      and not is_overage
),

grid as (
    select
        l.deal_id,
        l.product_line,
        l.close_month,
        mo.month,
        h.edition,
        coalesce(h.mrr_usd, 0) as mrr_usd
    from lines as l
    cross join {{ ref('int_solutions_mrr_months') }} as mo
    left join {{ ref('int_solutions_deal_line_mrr_monthly') }} as h
        on h.portal_id = l.portal_id
        and h.product_line = l.product_line
        and h.month = mo.month
),

summary as (
    select
        deal_id,
        product_line,
        max(case when month < close_month and mrr_usd > 0 then month end) as last_paid_month_before,
        sum(case when month < close_month and mrr_usd > 0 then 1 else 0 end) as paid_months_before,
        sum(
            case when month < close_month and mrr_usd > 0 and coalesce(edition, '') <> 'starter' then 1 else 0 end
        ) as non_starter_paid_months_before,
        min(case when month >= close_month and mrr_usd = 0 then month end) as end_month
    from grid
    group by deal_id, product_line
)

select
    s.deal_id,
    s.product_line,
    s.paid_months_before > 0 as paid_before,
    s.paid_months_before > 0 and s.non_starter_paid_months_before = 0 as all_starter_before,
    s.last_paid_month_before,
    g.edition as last_paid_edition_before,
    s.end_month
from summary as s
left join grid as g
    on g.deal_id = s.deal_id
    and g.product_line = s.product_line
    and g.month = s.last_paid_month_before
