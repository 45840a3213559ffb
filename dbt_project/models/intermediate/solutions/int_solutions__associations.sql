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
        credited.*,
        partners.solutions_type,
        partners.solutions_tier,
        coalesce(partners.crm_accredited, false) as crm_accredited,
        partners.region,
        coalesce(referral_tiers.is_referral_eligible, false) as tier_is_referral_eligible,
        coalesce(partners.crm_accredited, false)
        or (
            {{ flag_var('solutions_referral_regional_exception', false) }}
            and coalesce(exception_regions.accreditation_exception_possible, false)
        ) as accreditation_ok,
        credited.deal_pro_ent_mrr_usd >= params.enterprise_referral_min_pro_ent_mrr_usd as meets_referral_mrr
    from credited
    cross join params
    left join {{ ref('stg_hubspot__partners') }} as partners
        on partners.partner_id = credited.credited_partner_id
    left join {{ ref('solutions_enterprise_referral_tiers') }} as referral_tiers
        on referral_tiers.solutions_tier = partners.solutions_tier
    left join {{ ref('solutions_referral_exception_regions') }} as exception_regions
        on exception_regions.region = partners.region
),

programs as (
    select
        with_partner.*,
        with_partner.collaboration_type = 'hubspot_collaboration'
        and with_partner.tier_is_referral_eligible
        and with_partner.accreditation_ok
        and with_partner.meets_referral_mrr
        and with_partner.best_partner_has_valid_poi as enterprise_referral_applies,
        case
            when not with_partner.is_commissioned_line then 'none'
            when with_partner.collaboration_type = 'partner_collaboration' then 'standard'
            when with_partner.collaboration_type = 'hubspot_collaboration'
                and with_partner.tier_is_referral_eligible
                and with_partner.accreditation_ok
                and with_partner.meets_referral_mrr
                and with_partner.best_partner_has_valid_poi
                and with_partner.is_pro_ent_item then 'enterprise_referral'
            else 'none'
        end as commission_program
    from with_partner
)

select
    {{ dbt.concat(["programs.deal_id", "'|'", "programs.product_line"]) }} as association_id,
    programs.credited_partner_id as partner_id,
    programs.portal_id,
    programs.product_line,
    programs.deal_id,
    programs.collaboration_type,
    programs.edition,
    programs.line_mrr_usd as deal_line_mrr_usd,
    programs.close_month as start_month,
    programs.end_month,
    programs.solutions_type,
    programs.solutions_tier,
    programs.crm_accredited,
    programs.enterprise_referral_applies,
    programs.commission_program,
    commission_terms.commission_rate,
    commission_terms.commission_months
from programs
left join {{ ref('solutions_commission_terms') }} as commission_terms
    on commission_terms.commission_program = programs.commission_program
    and commission_terms.solutions_type = programs.solutions_type
