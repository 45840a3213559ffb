-- rules.md B6 (outcome list), B2, D14, B5, D15, D17: the outcome of every line item of every
-- closed-won deal — the first that applies, in this order:
--   credit_overage, not_eligible_starter_only, starter_not_bundled, no_valid_poi,
--   needs_manual_decision, manual_decision_invalid, line_held_by_other_partner,
--   pro_to_enterprise_upgrade, already_owned, credited.
-- Only `credited` rows name a credited partner.
--
-- Order dependence (B5). Whether a line item is held by another partner depends on the associations
-- that EARLIER credited items created on the same (portal, line). The first six outcomes and the
-- best partner are deal-level and do not depend on associations; nor does D15 (MRR history only);
-- nor does the end month an association created by a deal would have (D17, int_solutions__deal_line_history:
-- a function of the MRR history and the close month). What remains is, per (portal, line), the chain
-- of CREATORS, in (closed_on, deal_id) order:
--   * the first candidate that may create a new credit (never paid before, or D15's starter ->
--     pro/enterprise upgrade of an all-starter history) creates the association [close month, end);
--   * the next creator is the first later candidate that may create and closes on or after the
--     current creator's end month (an association without an end holds the line for good).
-- Since D17's revision (2026-12-04) a never-billed line ends three months after ITS close, so
-- candidates held by one association no longer share its end month (the runs keyed by the end month
-- that solved this before no longer hold); the chain is followed with a recursive CTE whose depth is
-- the number of creators of one (portal, line) - one or two in practice - over precomputed
-- "next creator" pointers. Then every candidate takes the latest creator at or before it:
--   * the creator itself is `credited` and creates the association;
--   * a candidate closing before the creator's end finds the holder: `credited` to it when the deal's
--     best partner is the holder (B6: a deal by the holder on a line it holds; the association simply
--     carries the new MRR, B5/D15) - also in the holder's unpaid lag months - else
--     `line_held_by_other_partner`;
--   * any other candidate (before the first creator, or after an association ended) cannot create:
--     `pro_to_enterprise_upgrade` or `already_owned` (D15).
-- See docs/rules-part-b.md.
with recursive lines as (
    select
        l.*,
        b.best_partner_rule,
        b.best_partner_id,
        b.best_partner_has_valid_poi,
        b.decision_partner_id,
        coalesce(h.paid_before, false) as paid_before,
        coalesce(h.all_starter_before, false) as all_starter_before,
        h.last_paid_edition_before,
        h.end_month,
        case
            when l.is_overage then 'credit_overage'
            when not l.deal_is_eligible then 'not_eligible_starter_only'
            when l.is_starter_item and not l.deal_has_pro_ent_hub then 'starter_not_bundled'
            when b.best_partner_rule in ('no_valid_poi', 'needs_manual_decision', 'manual_decision_invalid')
                then b.best_partner_rule
            when b.best_partner_id is null then 'no_valid_poi'
        end as deal_level_outcome
    from {{ ref('int_solutions__deal_lines') }} as l
    left join {{ ref('int_solutions__deal_best_partner') }} as b
        on b.deal_id = l.deal_id
    left join {{ ref('int_solutions__deal_line_history') }} as h
        on h.deal_id = l.deal_id
        and h.product_line = l.product_line
),

candidates as (
    select
        deal_id,
        product_line,
        portal_id,
        closed_on,
        close_month,
        best_partner_id,
        end_month,
        -- D15: a new credit is possible on a line never paid before, or on a starter ->
        -- professional/enterprise upgrade of a line whose every earlier paid month was starter
        (not paid_before) or (all_starter_before and edition in ('professional', 'enterprise')) as may_create,
        -- D15: professional -> enterprise upgrade (the latest earlier paid month was professional)
        paid_before and edition = 'enterprise' and coalesce(last_paid_edition_before, '') = 'professional'
            as is_pro_to_enterprise,
        row_number() over (partition by portal_id, product_line order by closed_on, deal_id) as seq
    from lines
    where deal_level_outcome is null
),

-- if candidate c creates an association, the creator after it (no row: none, or c never ends)
next_creators as (
    select c.portal_id, c.product_line, c.seq, min(n.seq) as next_seq
    from candidates as c
    inner join candidates as n
        on n.portal_id = c.portal_id
        and n.product_line = c.product_line
        and n.seq > c.seq
        and n.may_create
        and n.close_month >= c.end_month
    where c.may_create
    group by c.portal_id, c.product_line, c.seq
),

creator_chain as (
    select portal_id, product_line, min(seq) as seq
    from candidates
    where may_create
    group by portal_id, product_line

    union all

    select nc.portal_id, nc.product_line, nc.next_seq as seq
    from creator_chain as cc
    inner join next_creators as nc
        on nc.portal_id = cc.portal_id
        and nc.product_line = cc.product_line
        and nc.seq = cc.seq
),

creators as (
    select
        c.portal_id,
        c.product_line,
        c.seq as creator_seq,
        c.best_partner_id as holder_partner_id,
        c.deal_id as holder_deal_id,
        c.end_month as holder_end_month
    from candidates as c
    inner join creator_chain as cc
        on cc.portal_id = c.portal_id
        and cc.product_line = c.product_line
        and cc.seq = c.seq
),

with_creator as (
    select
        c.*,
        max(cr.creator_seq) over (
            partition by c.portal_id, c.product_line
            order by c.seq
            rows between unbounded preceding and current row
        ) as latest_creator_seq
    from candidates as c
    left join creators as cr
        on cr.portal_id = c.portal_id
        and cr.product_line = c.product_line
        and cr.creator_seq = c.seq
),

judged as (
    select
        w.deal_id,
        w.product_line,
        w.best_partner_id,
        w.is_pro_to_enterprise,
        coalesce(w.seq = w.latest_creator_seq, false) as creates_association,
        w.seq > w.latest_creator_seq
            and (cr.holder_end_month is null or w.close_month < cr.holder_end_month) as is_held,
        cr.holder_partner_id,
        cr.holder_deal_id
    from with_creator as w
    left join creators as cr
        on cr.portal_id = w.portal_id
        and cr.product_line = w.product_line
        and cr.creator_seq = w.latest_creator_seq
),

candidate_outcomes as (
    select
        deal_id,
        product_line,
        case
            when creates_association then 'credited'
            when is_held and best_partner_id = holder_partner_id then 'credited'
            when is_held then 'line_held_by_other_partner'
            when is_pro_to_enterprise then 'pro_to_enterprise_upgrade'
            else 'already_owned'
        end as outcome,
        case when is_held then holder_partner_id end as holder_partner_id,
        case when is_held then holder_deal_id end as holder_deal_id,
        creates_association
    from judged
)

select
    l.deal_id,
    l.product_line,
    l.portal_id,
    l.collaboration_type,
    l.closed_on,
    l.close_month,
    l.edition,
    l.line_mrr_usd,
    l.line_kind,
    l.is_commissioned_line,
    l.is_pro_ent_item,
    l.deal_pro_ent_mrr_usd,
    l.best_partner_rule,
    l.best_partner_id,
    l.best_partner_has_valid_poi,
    l.decision_partner_id,
    l.paid_before,
    l.all_starter_before,
    l.last_paid_edition_before,
    l.end_month,
    coalesce(l.deal_level_outcome, co.outcome) as outcome,
    case when coalesce(l.deal_level_outcome, co.outcome) = 'credited' then l.best_partner_id end
        as credited_partner_id,
    co.holder_partner_id,
    co.holder_deal_id,
    coalesce(co.creates_association, false) as creates_association
from lines as l
left join candidate_outcomes as co
    on co.deal_id = l.deal_id
    and co.product_line = l.product_line
