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

deal_partner_pois as (
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
        sum(case when has_valid_poi and may_be_credited and coverage_counts then 1 else 0 end)
            as covering_partner_count,
        max(case when has_valid_poi and may_be_credited and coverage_counts then partner_id end)
            as any_covering_partner_id
    from deal_partner_pois
    group by deal_id
),

ranked_decisions as (
    select
        deal_id,
        partner_id,
        decided_on,
        row_number() over (partition by deal_id order by decided_on desc, partner_id asc) as decision_rank
    from {{ ref('stg_hubspot__credit_decisions') }}
    where decided_on is null or decided_on <= {{ run_date() }}
),

decisions as (
    select deal_id, partner_id, decided_on
    from ranked_decisions
    where decision_rank = 1
),

resolved as (
    select
        deals.deal_id,
        coalesce(per_deal.valid_poi_partner_count, 0) as valid_poi_partner_count,
        coalesce(per_deal.covering_partner_count, 0) as covering_partner_count,
        decisions.partner_id as decision_partner_id,
        case
            when per_deal.recommended_count > 0 and per_deal.originator_count = 1
                and per_deal.originator_or_recommended_has_valid_poi then 'originator_priority'
            when coalesce(per_deal.valid_poi_partner_count, 0) = 0 then 'no_valid_poi'
            when per_deal.valid_poi_partner_count = 1 then 'single_valid_poi'
            when per_deal.covering_partner_count = 1 then 'onboarding_coverage'
            when decisions.deal_id is null then 'needs_manual_decision'
            when coalesce(decision_partner.has_valid_poi and decision_partner.may_be_credited, false)
                then 'manual_decision'
            else 'manual_decision_invalid'
        end as best_partner_rule,
        per_deal.originator_partner_id,
        per_deal.any_valid_poi_partner_id,
        per_deal.any_covering_partner_id
    from deals
    left join per_deal
        on per_deal.deal_id = deals.deal_id
    left join decisions
        on decisions.deal_id = deals.deal_id
    left join deal_partner_pois as decision_partner
        on decision_partner.deal_id = decisions.deal_id and decision_partner.partner_id = decisions.partner_id
),

chosen as (
    select
        resolved.deal_id,
        resolved.best_partner_rule,
        case resolved.best_partner_rule
            when 'originator_priority' then resolved.originator_partner_id
            when 'single_valid_poi' then resolved.any_valid_poi_partner_id
            when 'onboarding_coverage' then resolved.any_covering_partner_id
            when 'manual_decision' then resolved.decision_partner_id
        end as best_partner_id,
        resolved.valid_poi_partner_count,
        resolved.covering_partner_count,
        resolved.decision_partner_id
    from resolved
)

select
    chosen.deal_id,
    chosen.best_partner_rule,
    chosen.best_partner_id,
    -- B9: the enterprise referral needs the credited partner's own valid POI (the originator
    -- credited through its recommended partner's signature may have none)
    coalesce(best_partner.has_valid_poi, false) as best_partner_has_valid_poi,
    chosen.valid_poi_partner_count,
    chosen.covering_partner_count,
    chosen.decision_partner_id
from chosen
left join deal_partner_pois as best_partner
    on best_partner.deal_id = chosen.deal_id and best_partner.partner_id = chosen.best_partner_id
