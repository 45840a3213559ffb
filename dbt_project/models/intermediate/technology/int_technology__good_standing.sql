-- rules.md A8, D12, G1: a partner is not in good standing on E when a responsible compliance
-- escalation is open on E or was resolved within good_standing_lookback_days (90) before E:
-- opened_on <= E and (resolved_on null or resolved_on >= E - 90 days). Resolved 90 days before E
-- still counts; 91 days before does not. Non-responsible escalations never count.
with

partners as (
    select partner_id from {{ ref('int_technology__partners') }}
),

dates as (
    select evaluation_date, good_standing_from from {{ ref('int_technology__evaluation_dates') }}
)

select
    partners.partner_id,
    dates.evaluation_date,
    cast(count(escalations.escalation_id) as integer) as responsible_escalation_count,
    count(escalations.escalation_id) = 0 as in_good_standing
from partners
cross join dates
left join {{ ref('stg_hubspot__compliance_escalations') }} as escalations
    on escalations.partner_id = partners.partner_id
    and escalations.responsible
    and escalations.opened_on <= dates.evaluation_date
    and (escalations.resolved_on is null or escalations.resolved_on >= dates.good_standing_from)
group by partners.partner_id, dates.evaluation_date
