-- rules.md B4, D16, B6: one row per (closed-won deal with line items, partner on the deal) — the
-- partners registered on the deal (`deal_partners`) — with its role, its solutions type and whether
-- it holds a valid POI. A POI of a partner not registered on the deal gives no credit ([SPP] "Aucun
-- crédit ne sera accordé pour les transactions qu'un partenaire n'a pas enregistrées comme
-- transactions partagées"); the quality gate reports such POIs as a warning.
--   * D16 a POI is valid when status = signed and the UTC date of signed_at (G1) is on or before
--     closed_on + grace days (seed `solutions_parameters.poi_grace_days`, default 0) and, G3, on or
--     before the run date. Any one valid POI of the partner suffices; sent/rejected POIs are ignored.
--   * B6.3 covers_top_line: one of the partner's VALID POIs lists, in onboarding_product_lines
--     (`;`-separated), a line with the deal's highest MRR. Whether a provider's coverage counts is
--     decided in int_solutions__deal_best_partner.
with deals as (
    select distinct deal_id, closed_on
    from {{ ref('int_solutions__deal_lines') }}
),

top_lines as (
    select deal_id, product_line
    from {{ ref('int_solutions__deal_lines') }}
    where is_deal_top_line
),

params as (
    select poi_grace_days
    from {{ ref('solutions_parameters') }}
),

pois as (
    select
        proofs.deal_id,
        proofs.partner_id,
        coalesce(
            proofs.status = 'signed'
            and proofs.signed_on <= cast({{ dbt.dateadd('day', 'params.poi_grace_days', 'deals.closed_on') }} as date)
            -- G3: a signature after the run date does not exist yet (matters only with a grace period)
            and proofs.signed_on <= {{ run_date() }},
            false
        ) as is_valid,
        -- normalised ";line;line;" so that a line is matched whole, not as a substring
        {{ dbt.concat(["';'", "replace(coalesce(proofs.onboarding_product_lines, ''), ' ', '')", "';'"]) }}
            as onboarding_lines_key
    from {{ ref('stg_hubspot__proof_of_involvement') }} as proofs
    inner join deals
        on deals.deal_id = proofs.deal_id
    cross join params
),

poi_by_partner as (
    select
        deal_id,
        partner_id,
        count(*) as poi_count,
        max(case when is_valid then 1 else 0 end) = 1 as has_valid_poi
    from pois
    group by deal_id, partner_id
),

coverage as (
    select pois.deal_id, pois.partner_id
    from pois
    inner join top_lines
        on top_lines.deal_id = pois.deal_id
        and pois.onboarding_lines_key like {{ dbt.concat(["'%;'", "top_lines.product_line", "';%'"]) }}
    where pois.is_valid
    group by pois.deal_id, pois.partner_id
),

roles as (
    select deal_partners.deal_id, deal_partners.partner_id, deal_partners.role
    from {{ ref('stg_hubspot__deal_partners') }} as deal_partners
    inner join deals
        on deals.deal_id = deal_partners.deal_id
),

keys as (
    select deal_id, partner_id from roles
)

select
    keys.deal_id,
    keys.partner_id,
    roles.role,
    partners.solutions_type,
    coalesce(poi_by_partner.poi_count, 0) as poi_count,
    coalesce(poi_by_partner.has_valid_poi, false) as has_valid_poi,
    coverage.partner_id is not null as covers_top_line
from keys
left join roles
    on roles.deal_id = keys.deal_id and roles.partner_id = keys.partner_id
left join poi_by_partner
    on poi_by_partner.deal_id = keys.deal_id and poi_by_partner.partner_id = keys.partner_id
left join coverage
    on coverage.deal_id = keys.deal_id and coverage.partner_id = keys.partner_id
left join {{ ref('stg_hubspot__partners') }} as partners
    on partners.partner_id = keys.partner_id
