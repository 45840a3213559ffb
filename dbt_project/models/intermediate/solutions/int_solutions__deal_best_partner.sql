-- rules.md B6 (best partner), B4, D16: one row per closed-won deal with line items: the partner the
-- deal credits, by the first rule that decides, in order:
--   1. a `recommended_by_originator` partner is never credited; when the deal has one, its (single)
--      originator is credited provided the originator or a recommended partner holds a valid POI
--      (the recommended partner's signature proves the collaboration);
--   2. otherwise, among the partners with a valid POI (recommended ones excluded): exactly one ->
--      that partner;
--   3. two or more -> the only one whose valid POI covers onboarding of a line with the deal's
--      highest MRR; a solutions provider's coverage does not count;
--   4. otherwise (no coverage, or a tie) -> the `credit_decisions` feed names the winner
--      (`manual_decision`); without a decision the deal is `needs_manual_decision`; a decision naming
--      a partner without a valid POI on the deal (or a recommended partner) is
--      `manual_decision_invalid` and not applied.
-- No valid POI at all -> `no_valid_poi`. G3: a decision dated after the run date does not exist yet.
with deals as (
    select distinct deal_id
    from {{ ref('int_solutions__deal_lines') }}
),

pp as (
    select
        deal_id,
        partner_id,
        role,
        has_valid_poi,
        coalesce(role, '') <> 'recommended_by_originator' as may_be_credited,
        covers_top_line and coalesce(solutions_type, '') <> 'provider' as coverage_counts
    from {{ ref('int_solutions__deal_partner_pois') }}
),

per_deal as (
    select
        deal_id,
        sum(case when role = 'recommended_by_originator' then 1 else 0 end) as recommended_count,
        sum(case when role = 'originator' then 1 else 0 end) as originator_count,
        max(case when role = 'originator' then partner_id end) as originator_partner_id,
        max(case when role in ('originator', 'recommended_by_originator') and has_valid_poi then 1 else 0 end) = 1
            as originator_or_recommended_has_valid_poi,
        sum(case when has_valid_poi and may_be_credited then 1 else 0 end) as valid_poi_partner_count,
        max(case when has_valid_poi and may_be_credited then partner_id end) as any_valid_poi_partner_id,
        sum(case when has_valid_poi and may_be_credited and coverage_counts then 1 else 0 end) as covering_partner_count,
        max(case when has_valid_poi and may_be_credited and coverage_counts then partner_id end) as any_covering_partner_id
    from pp
    group by deal_id
),

decisions as (
    select deal_id, partner_id, decided_on
    from (
        select
            deal_id,
            partner_id,
            decided_on,
            row_number() over (partition by deal_id order by decided_on desc, partner_id) as rn
        from {{ ref('stg_hubspot__credit_decisions') }}
        where decided_on is null or decided_on <= {{ run_date() }}
    ) as ranked
    where rn = 1
),

resolved as (
    select
        d.deal_id,
        coalesce(pd.valid_poi_partner_count, 0) as valid_poi_partner_count,
        coalesce(pd.covering_partner_count, 0) as covering_partner_count,
        dec.partner_id as decision_partner_id,
        case
            when pd.recommended_count > 0 and pd.originator_count = 1
                and pd.originator_or_recommended_has_valid_poi then 'originator_priority'
            when coalesce(pd.valid_poi_partner_count, 0) = 0 then 'no_valid_poi'
            when pd.valid_poi_partner_count = 1 then 'single_valid_poi'
            when pd.covering_partner_count = 1 then 'onboarding_coverage'
            when dec.deal_id is null then 'needs_manual_decision'
            when coalesce(dpp.has_valid_poi and dpp.may_be_credited, false) then 'manual_decision'
            else 'manual_decision_invalid'
        end as best_partner_rule,
        pd.originator_partner_id,
        pd.any_valid_poi_partner_id,
        pd.any_covering_partner_id
    from deals as d
    left join per_deal as pd
        on pd.deal_id = d.deal_id
    left join decisions as dec
        on dec.deal_id = d.deal_id
    left join pp as dpp
        on dpp.deal_id = dec.deal_id and dpp.partner_id = dec.partner_id
),

chosen as (
    select
        r.deal_id,
        r.best_partner_rule,
        case r.best_partner_rule
            when 'originator_priority' then r.originator_partner_id
            when 'single_valid_poi' then r.any_valid_poi_partner_id
            when 'onboarding_coverage' then r.any_covering_partner_id
            when 'manual_decision' then r.decision_partner_id
        end as best_partner_id,
        r.valid_poi_partner_count,
        r.covering_partner_count,
        r.decision_partner_id
    from resolved as r
)

select
    c.deal_id,
    c.best_partner_rule,
    c.best_partner_id,
    -- B9: the enterprise referral needs the credited partner's own valid POI (the originator
    -- credited through its recommended partner's signature may have none)
    coalesce(bp.has_valid_poi, false) as best_partner_has_valid_poi,
    c.valid_poi_partner_count,
    c.covering_partner_count,
    c.decision_partner_id
from chosen as c
left join pp as bp
    on bp.deal_id = c.deal_id and bp.partner_id = c.best_partner_id
