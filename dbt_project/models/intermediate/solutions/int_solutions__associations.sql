-- rules.md B5, D17, B9, D20, D21: one association (partner, portal, product line) per credited line
-- item that creates one (see int_solutions__deal_line_outcomes). It starts in the close month of the
-- crediting deal and ends (exclusive) in the first month the line's MRR is 0, never resuming (D17);
-- null end = still paid at the last covered month.
-- Commission terms are fixed by the crediting deal (the clock never restarts, D20):
--   * partner_collaboration -> `standard`: rate and months by solutions_type
--     (seed solutions_commission_terms: partner 20 % x 36, provider 20 % x 12);
--   * hubspot_collaboration -> no commission, unless the enterprise referral program applies (B9):
--     the partner's solutions_tier is referral-eligible (seed solutions_enterprise_referral_tiers),
--     it is crm_accredited (or, when the switch `solutions_referral_regional_exception` is on, its
--     region is one where the accreditation exception is possible - seed
--     solutions_referral_exception_regions), the deal's professional/enterprise items total at
--     least `enterprise_referral_min_pro_ent_mrr_usd` (>=, unrounded, G2) and the partner holds a
--     valid POI on the deal -> `enterprise_referral` on the professional/enterprise items only.
--   * D21 tier and accreditation are the partners feed as delivered (no history).
--   * a line of the seed with is_commissioned = false (credit_overage, never credited anyway) earns
--     nothing; credit_capacity_pack is commissioned.
with credited as (
    select *
    from {{ ref('int_solutions__deal_line_outcomes') }}
    where creates_association
),

params as (
    select enterprise_referral_min_pro_ent_mrr_usd
    from {{ ref('solutions_parameters') }}
),

with_partner as (
    select
        c.*,
        p.solutions_type,
        p.solutions_tier,
        coalesce(p.crm_accredited, false) as crm_accredited,
        p.region,
        coalesce(t.is_referral_eligible, false) as tier_is_referral_eligible,
        coalesce(p.crm_accredited, false)
            or (
                {{ flag_var('solutions_referral_regional_exception', false) }}
                and coalesce(r.accreditation_exception_possible, false)
            ) as accreditation_ok,
        c.deal_pro_ent_mrr_usd >= params.enterprise_referral_min_pro_ent_mrr_usd as meets_referral_mrr
    from credited as c
    cross join params
    left join {{ ref('stg_hubspot__partners') }} as p
        on p.partner_id = c.credited_partner_id
    left join {{ ref('solutions_enterprise_referral_tiers') }} as t
        on t.solutions_tier = p.solutions_tier
    left join {{ ref('solutions_referral_exception_regions') }} as r
        on r.region = p.region
),

programs as (
    select
        w.*,
        w.collaboration_type = 'hubspot_collaboration'
            and w.tier_is_referral_eligible
            and w.accreditation_ok
            and w.meets_referral_mrr
            and w.best_partner_has_valid_poi as enterprise_referral_applies,
        case
            when not w.is_commissioned_line then 'none'
            when w.collaboration_type = 'partner_collaboration' then 'standard'
            when w.collaboration_type = 'hubspot_collaboration'
                and w.tier_is_referral_eligible
                and w.accreditation_ok
                and w.meets_referral_mrr
                and w.best_partner_has_valid_poi
                and w.is_pro_ent_item then 'enterprise_referral'
            else 'none'
        end as commission_program
    from with_partner as w
)

select
    {{ dbt.concat(["p.deal_id", "'|'", "p.product_line"]) }} as association_id,
    p.credited_partner_id as partner_id,
    p.portal_id,
    p.product_line,
    p.deal_id,
    p.collaboration_type,
    p.edition,
    p.line_mrr_usd as deal_line_mrr_usd,
    p.close_month as start_month,
    p.end_month,
    p.solutions_type,
    p.solutions_tier,
    p.crm_accredited,
    p.enterprise_referral_applies,
    p.commission_program,
    ct.commission_rate,
    ct.commission_months
from programs as p
left join {{ ref('solutions_commission_terms') }} as ct
    on ct.commission_program = p.commission_program
    and ct.solutions_type = p.solutions_type
