-- issue 17 (what-if), rules.md A3-A9: every input of the tier decision of every technology partner and
-- reported evaluation date, as the decision used them: the requirement inputs (exact window totals, G2),
-- good standing (A8), the POC-form window and downgrade flags (D10, A2) and the tier before E (C) of the
-- real chain (published when a publication exists, A9). The what-if simulator changes these and runs the
-- decision macros on them (rpt_technology_what_if_sql); with nothing changed it reproduces the decision.
select
    cast(inputs.partner_id as {{ dbt.type_string() }}) as partner_id,
    cast(inputs.evaluation_date as date) as evaluation_date,
    cast(inputs.window_months as integer) as window_months,
    cast(inputs.attached_mrr_total as decimal(18, 2)) as attached_mrr_total,
    cast(inputs.attached_mrr_mean as double) as attached_mrr_mean,
    cast(inputs.install_90d_mrr as decimal(18, 2)) as install_90d_mrr,
    cast(inputs.influenced_deals_mrr as decimal(18, 2)) as influenced_deals_mrr,
    cast(inputs.review_count as integer) as review_count,
    cast(inputs.rating_sum as bigint) as rating_sum,
    cast(inputs.avg_rating as double) as avg_rating,
    cast(inputs.live_app_count as integer) as live_app_count,
    cast(inputs.certified_live_app_count as integer) as certified_live_app_count,
    cast(inputs.has_technical_contact as boolean) as has_technical_contact,
    cast(inputs.has_partnership_manager as boolean) as has_partnership_manager,
    cast(inputs.has_executive_sponsor as boolean) as has_executive_sponsor,
    cast(inputs.data_sharing_passes as boolean) as data_sharing_passes,
    cast(chain_inputs.has_live_listing as boolean) as has_live_listing,
    cast(chain_inputs.in_good_standing as boolean) as in_good_standing,
    cast(chain_inputs.form_window_open as boolean) as form_window_open,
    cast(chain_inputs.downgrade_window as boolean) as downgrade_window,
    cast(chain_inputs.downgrades_in_force as boolean) as downgrades_in_force,
    cast(chain_inputs.not_in_program_rank as integer) as not_in_program_rank,
    cast(chain_inputs.partner_rank as integer) as partner_rank,
    cast(chain.tier_before_rank as integer) as tier_before_rank
from (
    {{ technology_requirement_inputs(
        ref('int_technology__partner_metrics'),
        ref('int_technology__partner_listing_status'),
        ref('int_technology__poc_form_status')
    ) }}
) as inputs
inner join {{ ref('int_technology__tier_chain_inputs') }} as chain_inputs
    on chain_inputs.partner_id = inputs.partner_id
    and chain_inputs.evaluation_date = inputs.evaluation_date
inner join {{ ref('int_technology__tier_chain') }} as chain
    on chain.partner_id = inputs.partner_id
    and chain.evaluation_date = inputs.evaluation_date
inner join {{ ref('int_technology__evaluation_dates') }} as dates
    on dates.evaluation_date = inputs.evaluation_date
where dates.is_reported
