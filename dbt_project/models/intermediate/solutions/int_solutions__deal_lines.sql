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
        i.deal_id,
        i.product_line,
        i.edition,
        i.mrr_usd,
        pl.line_kind,
        coalesce(pl.is_commissioned, false) as is_commissioned_line,
        coalesce(pl.line_kind = 'overage', false) as is_overage,
        coalesce(pl.line_kind = 'hub' and i.edition in ('professional', 'enterprise'), false) as is_pro_ent_hub,
        coalesce(pl.line_kind <> 'overage' and i.edition = 'starter', false) as is_starter_item,
        coalesce(pl.line_kind = 'add_on', false) as is_add_on,
        coalesce(pl.line_kind <> 'overage' and i.edition in ('professional', 'enterprise'), false) as is_pro_ent_item
    from {{ ref('stg_hubspot__deal_line_items') }} as i
    left join {{ ref('solutions_product_lines') }} as pl
        on pl.product_line = i.product_line
),

joined as (
    select
        d.deal_id,
        d.portal_id,
        d.collaboration_type,
        d.closed_on,
        {{ month_of('d.closed_on') }} as close_month,
        it.product_line,
        it.edition,
        it.mrr_usd as line_mrr_usd,
        it.line_kind,
        it.is_commissioned_line,
        it.is_overage,
        it.is_pro_ent_hub,
        it.is_starter_item,
        it.is_add_on,
        it.is_pro_ent_item
    from deals as d
    inner join items as it
        on it.deal_id = d.deal_id
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
    j.deal_id,
    j.portal_id,
    j.collaboration_type,
    j.closed_on,
    j.close_month,
    j.product_line,
    j.edition,
    j.line_mrr_usd,
    j.line_kind,
    j.is_commissioned_line,
    j.is_overage,
    j.is_pro_ent_hub,
    j.is_starter_item,
    j.is_add_on,
    j.is_pro_ent_item,
    f.deal_has_pro_ent_hub,
    f.deal_is_eligible,
    cast(f.deal_pro_ent_mrr_usd as decimal(18, 2)) as deal_pro_ent_mrr_usd,
    coalesce(not j.is_overage and j.line_mrr_usd = f.deal_top_line_mrr_usd, false) as is_deal_top_line
from joined as j
inner join deal_flags as f
    on f.deal_id = j.deal_id
