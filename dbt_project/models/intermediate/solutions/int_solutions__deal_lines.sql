-- rules.md B1, B2, D14, G3: one row per line item of every closed-won deal, with the product-line
-- classification of the seed `solutions_product_lines` and the deal-level flags the outcome needs.
--   * B2, D14 (revised 2026-12-04) a Starter product is any item of `starter` edition, whatever its
--     line; a deal is eligible when it holds a professional/enterprise item of a hub line or of an
--     add-on line (credit_capacity_pack, reporting_addon, core_seats, other), so a deal whose every
--     item is starter (a starter-edition core_seats included) is not eligible;
--   * D14 a starter item (hub or add-on) is credited only when the same deal holds a
--     professional/enterprise hub item (the bundle);
--   * B9 the deal's professional/enterprise items total (enterprise referral threshold);
--   * B6.3 the deal's line(s) with the highest MRR (overage excluded: it is not a product sold).
-- G3: a deal closed after the run date has not closed yet. A closed-won deal without a close date
-- is kept (it can hold no valid POI, D16).
with deals as (
    select deal_id, portal_id, collaboration_type, closed_on
    from {{ ref('stg_hubspot__deals') }}
    where stage = 'closed_won'
        and (closed_on is null or closed_on <= {{ run_date() }})
),

items as (
    select
        line_items.deal_id,
        line_items.product_line,
        line_items.edition,
        line_items.mrr_usd,
        product_lines.line_kind,
        coalesce(product_lines.is_commissioned, false) as is_commissioned_line,
        coalesce(product_lines.line_kind = 'overage', false) as is_overage,
        coalesce(product_lines.line_kind = 'hub' and line_items.edition in ('professional', 'enterprise'), false)
            as is_pro_ent_hub,
        coalesce(product_lines.line_kind <> 'overage' and line_items.edition = 'starter', false) as is_starter_item,
        coalesce(product_lines.line_kind = 'add_on', false) as is_add_on,
        coalesce(product_lines.line_kind <> 'overage' and line_items.edition in ('professional', 'enterprise'), false)
            as is_pro_ent_item
    from {{ ref('stg_hubspot__deal_line_items') }} as line_items
    left join {{ ref('solutions_product_lines') }} as product_lines
        on product_lines.product_line = line_items.product_line
),

joined as (
    select
        deals.deal_id,
        deals.portal_id,
        deals.collaboration_type,
        deals.closed_on,
        {{ month_of('deals.closed_on') }} as close_month,
        items.product_line,
        items.edition,
        items.mrr_usd as line_mrr_usd,
        items.line_kind,
        items.is_commissioned_line,
        items.is_overage,
        items.is_pro_ent_hub,
        items.is_starter_item,
        items.is_add_on,
        items.is_pro_ent_item
    from deals
    inner join items
        on items.deal_id = deals.deal_id
),

deal_flags as (
    select
        deal_id,
        max(case when is_pro_ent_hub then 1 else 0 end) = 1 as deal_has_pro_ent_hub,
        max(case when is_pro_ent_hub or (is_add_on and is_pro_ent_item) then 1 else 0 end) = 1 as deal_is_eligible,
        sum(case when is_pro_ent_item then line_mrr_usd else 0 end) as deal_pro_ent_mrr_usd,
        max(case when not is_overage then line_mrr_usd end) as deal_top_line_mrr_usd
    from joined
    group by deal_id
)

select
    joined.deal_id,
    joined.portal_id,
    joined.collaboration_type,
    joined.closed_on,
    joined.close_month,
    joined.product_line,
    joined.edition,
    joined.line_mrr_usd,
    joined.line_kind,
    joined.is_commissioned_line,
    joined.is_overage,
    joined.is_pro_ent_hub,
    joined.is_starter_item,
    joined.is_add_on,
    joined.is_pro_ent_item,
    deal_flags.deal_has_pro_ent_hub,
    deal_flags.deal_is_eligible,
    cast(deal_flags.deal_pro_ent_mrr_usd as decimal(18, 2)) as deal_pro_ent_mrr_usd,
    coalesce(not joined.is_overage and joined.line_mrr_usd = deal_flags.deal_top_line_mrr_usd, false)
        as is_deal_top_line
from joined
inner join deal_flags
    on deal_flags.deal_id = joined.deal_id
