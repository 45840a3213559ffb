-- rules.md G4, D17, D18: the calendar months covered by portal_mrr_monthly. Inside these months a
-- (portal, product line) without a row pays 0 (feeds.md); every monthly Part B value (association
-- months, sold MRR, managed MRR, commission accruals) is computed within them.
select distinct month
from {{ ref('stg_hubspot__portal_mrr_monthly') }}
where month is not null
