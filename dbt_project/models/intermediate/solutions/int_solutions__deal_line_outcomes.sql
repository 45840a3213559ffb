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
        deal_lines.*,
        best_partners.best_partner_rule,
        best_partners.best_partner_id,
        best_partners.best_partner_has_valid_poi,
        best_partners.decision_partner_id,
        coalesce(line_history.paid_before, false) as paid_before,
        coalesce(line_history.all_starter_before, false) as all_starter_before,
        line_history.last_paid_edition_before,
        line_history.end_month,
        case
            when deal_lines.is_overage then 'credit_overage'
            when not deal_lines.deal_is_eligible then 'not_eligible_starter_only'
            when deal_lines.is_starter_item and not deal_lines.deal_has_pro_ent_hub then 'starter_not_bundled'
            when best_partners.best_partner_rule in ('no_valid_poi', 'needs_manual_decision', 'manual_decision_invalid')
                then best_partners.best_partner_rule
            when best_partners.best_partner_id is null then 'no_valid_poi'
        end as deal_level_outcome
    from {{ ref('int_solutions__deal_lines') }} as deal_lines
    left join {{ ref('int_solutions__deal_best_partner') }} as best_partners
        on best_partners.deal_id = deal_lines.deal_id
    left join {{ ref('int_solutions__deal_line_history') }} as line_history
        on line_history.deal_id = deal_lines.deal_id
        and line_history.product_line = deal_lines.product_line
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
    select candidate.portal_id, candidate.product_line, candidate.seq, min(next_candidate.seq) as next_seq
    from candidates as candidate
    inner join candidates as next_candidate
        on next_candidate.portal_id = candidate.portal_id
        and next_candidate.product_line = candidate.product_line
        and next_candidate.seq > candidate.seq
        and next_candidate.may_create
        and next_candidate.close_month >= candidate.end_month
    where candidate.may_create
    group by candidate.portal_id, candidate.product_line, candidate.seq
),

creator_chain as (
    select portal_id, product_line, min(seq) as seq
    from candidates
    where may_create
    group by portal_id, product_line

    union all

    select next_creators.portal_id, next_creators.product_line, next_creators.next_seq as seq
    from creator_chain
    inner join next_creators
        on next_creators.portal_id = creator_chain.portal_id
        and next_creators.product_line = creator_chain.product_line
        and next_creators.seq = creator_chain.seq
),

creators as (
    select
        candidates.portal_id,
        candidates.product_line,
        candidates.seq as creator_seq,
        candidates.best_partner_id as holder_partner_id,
        candidates.deal_id as holder_deal_id,
        candidates.end_month as holder_end_month
    from candidates
    inner join creator_chain
        on creator_chain.portal_id = candidates.portal_id
        and creator_chain.product_line = candidates.product_line
        and creator_chain.seq = candidates.seq
),

with_creator as (
    select
        candidates.*,
        max(creators.creator_seq) over (
            partition by candidates.portal_id, candidates.product_line
            order by candidates.seq
            rows between unbounded preceding and current row
        ) as latest_creator_seq
    from candidates
    left join creators
        on creators.portal_id = candidates.portal_id
        and creators.product_line = candidates.product_line
        and creators.creator_seq = candidates.seq
),

judged as (
    select
        with_creator.deal_id,
        with_creator.product_line,
        with_creator.best_partner_id,
        with_creator.is_pro_to_enterprise,
        coalesce(with_creator.seq = with_creator.latest_creator_seq, false) as creates_association,
        with_creator.seq > with_creator.latest_creator_seq
        and (creators.holder_end_month is null or with_creator.close_month < creators.holder_end_month) as is_held,
        creators.holder_partner_id,
        creators.holder_deal_id
    from with_creator
    left join creators
        on creators.portal_id = with_creator.portal_id
        and creators.product_line = with_creator.product_line
        and creators.creator_seq = with_creator.latest_creator_seq
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
    lines.deal_id,
    lines.product_line,
    lines.portal_id,
    lines.collaboration_type,
    lines.closed_on,
    lines.close_month,
    lines.edition,
    lines.line_mrr_usd,
    lines.line_kind,
    lines.is_commissioned_line,
    lines.is_pro_ent_item,
    lines.deal_pro_ent_mrr_usd,
    lines.best_partner_rule,
    lines.best_partner_id,
    lines.best_partner_has_valid_poi,
    lines.decision_partner_id,
    lines.paid_before,
    lines.all_starter_before,
    lines.last_paid_edition_before,
    lines.end_month,
    coalesce(lines.deal_level_outcome, candidate_outcomes.outcome) as outcome,
    case when coalesce(lines.deal_level_outcome, candidate_outcomes.outcome) = 'credited' then lines.best_partner_id end
        as credited_partner_id,
    candidate_outcomes.holder_partner_id,
    candidate_outcomes.holder_deal_id,
    coalesce(candidate_outcomes.creates_association, false) as creates_association
from lines
left join candidate_outcomes
    on candidate_outcomes.deal_id = lines.deal_id
    and candidate_outcomes.product_line = lines.product_line
