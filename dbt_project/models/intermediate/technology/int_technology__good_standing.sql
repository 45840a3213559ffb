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
    count(escalations.escalation_id) = 0 as in_good_standing,
    -- issue 15 item 4: what a held upgrade (A9 row 4) is held by, since when, and when it clears
    {{ ordered_listagg('escalations.escalation_id', "', '") }}
        as breaking_escalation_ids,
    min(escalations.opened_on) as breaking_escalations_since,
    cast(count(case when escalations.resolved_on is null then escalations.escalation_id end) as integer)
        as breaking_escalations_unresolved,
    -- D12: a resolved escalation stops counting once it lies more than the lookback before E, so good
    -- standing returns lookback + 1 days after the last resolution; unknown while one is unresolved
    case
        when count(escalations.escalation_id) > 0 and count(escalations.resolved_on) = count(escalations.escalation_id)
            then {{ add_days(
                'max(escalations.resolved_on)',
                dbt.datediff('dates.good_standing_from', 'dates.evaluation_date', 'day') ~ ' + 1'
            ) }}
    end as good_standing_restored_on
from partners
cross join dates
left join {{ ref('stg_hubspot__compliance_escalations') }} as escalations
    on escalations.partner_id = partners.partner_id
    and escalations.responsible
    and escalations.opened_on <= dates.evaluation_date
    and (escalations.resolved_on is null or escalations.resolved_on >= dates.good_standing_from)
group by partners.partner_id, dates.evaluation_date, dates.good_standing_from
