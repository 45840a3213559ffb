-- rules.md D15, D17, D18, B9: the monthly MRR history (portal_mrr_monthly) of the (portal, product
-- line) pairs that appear on a closed-won deal — the only lines that can be credited. One pass over
-- the big MRR feed, reused by the already-owned check, the association end and the monthly values.
with deal_portal_lines as (
    select distinct portal_id, product_line
    from {{ ref('int_solutions__deal_lines') }}
    where portal_id is not null
)

select
    m.portal_id,
    m.product_line,
    m.month,
    m.edition,
    m.mrr_usd
from {{ ref('stg_hubspot__portal_mrr_monthly') }} as m
inner join deal_portal_lines as dpl
    on dpl.portal_id = m.portal_id
    and dpl.product_line = m.product_line
