-- rules.md A1, A10: the tier ladder (seed technology_tiers) with each tier's next tier up — the tier
-- the A10 gap is measured to. One home for the ladder the gap model and the evaluation mart both read.
select
    tier,
    tier_rank,
    lead(tier) over (order by tier_rank) as next_tier
from {{ ref('technology_tiers') }}
