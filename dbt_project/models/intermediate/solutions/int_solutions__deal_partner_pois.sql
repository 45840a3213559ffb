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
        p.deal_id,
        p.partner_id,
        coalesce(
            p.status = 'signed'
            and p.signed_on <= cast({{ dbt.dateadd('day', 'params.poi_grace_days', 'd.closed_on') }} as date)
            -- G3: a signature after the run date does not exist yet (matters only with a grace period)
            and p.signed_on <= {{ run_date() }},
            false
        ) as is_valid,
        -- normalised ";line;line;" so that a line is matched whole, not as a substring
        {{ dbt.concat(["';'", "replace(coalesce(p.onboarding_product_lines, ''), ' ', '')", "';'"]) }} as onboarding_lines_key
    from {{ ref('stg_hubspot__proof_of_involvement') }} as p
    inner join deals as d
        on d.deal_id = p.deal_id
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
    inner join top_lines as tl
        on tl.deal_id = pois.deal_id
        and pois.onboarding_lines_key like {{ dbt.concat(["'%;'", "tl.product_line", "';%'"]) }}
    where pois.is_valid
    group by pois.deal_id, pois.partner_id
),

roles as (
    select dp.deal_id, dp.partner_id, dp.role
    from {{ ref('stg_hubspot__deal_partners') }} as dp
    inner join deals as d
        on d.deal_id = dp.deal_id
),

keys as (
    select deal_id, partner_id from roles
)

select
    k.deal_id,
    k.partner_id,
    r.role,
    pa.solutions_type,
    coalesce(pb.poi_count, 0) as poi_count,
    coalesce(pb.has_valid_poi, false) as has_valid_poi,
    cv.partner_id is not null as covers_top_line
from keys as k
left join roles as r
    on r.deal_id = k.deal_id and r.partner_id = k.partner_id
left join poi_by_partner as pb
    on pb.deal_id = k.deal_id and pb.partner_id = k.partner_id
left join coverage as cv
    on cv.deal_id = k.deal_id and cv.partner_id = k.partner_id
left join {{ ref('stg_hubspot__partners') }} as pa
    on pa.partner_id = k.partner_id
