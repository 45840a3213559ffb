"""Sanity SQL over a loaded landing zone (raw schema): contract-level validity and a rough estimate
of the technology tier mix. Used by tests/test_generate.py and to calibrate the generator; the real
rules engine lives in the dbt project, this is only a cross-check of the generated distributions.
"""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.defs.ingest.contract import EDITIONS, FEEDS, PRODUCT_LINES, TIERS


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _ref(child: str, col: str, parent: str, pcol: str, where: str = "") -> str:
    cond = f" AND {where}" if where else ""
    return (
        f"SELECT count(*) FROM raw.{child} c WHERE c.{col} IS NOT NULL{cond}"
        f" AND NOT EXISTS (SELECT 1 FROM raw.{parent} p WHERE p.{pcol} = c.{col})"
    )


def violation_queries() -> dict[str, str]:
    """name -> SQL returning the number of violating rows (0 = the check passes)."""
    q: dict[str, str] = {}
    for feed in FEEDS:
        if feed.primary_key:
            key = ", ".join(feed.primary_key)
            q[f"pk {feed.name}"] = f"SELECT count(*) - count(DISTINCT ({key})) FROM raw.{feed.name}"
            nulls = " OR ".join(f"{c} IS NULL" for c in feed.primary_key)
            q[f"pk not null {feed.name}"] = f"SELECT count(*) FROM raw.{feed.name} WHERE {nulls}"
    lines, eds = _in(PRODUCT_LINES), _in(EDITIONS)
    enums = {
        "partners program": "SELECT count(*) FROM raw.partners WHERE program NOT IN ('technology', 'solutions')",
        "partners solutions fields": """SELECT count(*) FROM raw.partners WHERE
            (program = 'solutions' AND (solutions_type NOT IN ('partner', 'provider')
                OR solutions_tier NOT IN ('partner', 'gold', 'platinum', 'diamond', 'elite')
                OR solutions_type IS NULL OR solutions_tier IS NULL))
            OR (program = 'technology' AND (solutions_type IS NOT NULL OR solutions_tier IS NOT NULL))""",
        "partners region": "SELECT count(*) FROM raw.partners WHERE region NOT IN ('NA', 'LATAM', 'EMEA', 'APAC')",
        "mrr enums": f"SELECT count(*) FROM raw.portal_mrr_monthly WHERE product_line NOT IN {lines}"
        f" OR edition NOT IN {eds} OR mrr_usd < 0 OR mrr_usd IS NULL",
        "mrr month is first day": "SELECT count(*) FROM raw.portal_mrr_monthly WHERE day(month) <> 1",
        "usage month is first day": "SELECT count(*) FROM raw.app_usage_monthly WHERE day(month) <> 1",
        "usage calls": "SELECT count(*) FROM raw.app_usage_monthly WHERE api_calls < 0 OR api_calls IS NULL",
        "certification status": "SELECT count(*) FROM raw.app_certifications"
        " WHERE status NOT IN ('certified', 'revoked')",
        "review rating/status": "SELECT count(*) FROM raw.marketplace_reviews WHERE rating NOT BETWEEN 1 AND 5"
        " OR status NOT IN ('published', 'removed')",
        "submission enums": """SELECT count(*) FROM raw.influenced_revenue_submissions WHERE
            submission_type NOT IN ('influenced_deal', 'referral')
            OR review_status NOT IN ('approved', 'pending', 'rejected')
            OR mrr_usd < 0""",
        "poc data sharing": "SELECT count(*) FROM raw.partner_poc_forms WHERE data_sharing NOT IN"
        " ('crossbeam', 'other_approved', 'none')",
        "baseline tier": f"SELECT count(*) FROM raw.technology_tier_baseline WHERE tier NOT IN {_in(TIERS)}",
        "deal enums": """SELECT count(*) FROM raw.deals WHERE
            collaboration_type NOT IN ('partner_collaboration', 'hubspot_collaboration')
            OR stage NOT IN ('open', 'closed_won', 'closed_lost')""",
        "deal role": "SELECT count(*) FROM raw.deal_partners WHERE role NOT IN"
        " ('originator', 'invited', 'recommended_by_originator')",
        "line item enums": f"SELECT count(*) FROM raw.deal_line_items WHERE product_line NOT IN {lines}"
        f" OR edition NOT IN {eds} OR mrr_usd < 0",
        "poi status": "SELECT count(*) FROM raw.proof_of_involvement"
        " WHERE status NOT IN ('sent', 'signed', 'rejected')",
        "poi onboarding lines": f"""SELECT count(*) FROM (SELECT unnest(string_split(onboarding_product_lines, ';')) l
            FROM raw.proof_of_involvement WHERE onboarding_product_lines IS NOT NULL) WHERE l NOT IN {lines}""",
    }
    q.update(enums)
    refs = {
        "ref mrr portal": _ref("portal_mrr_monthly", "portal_id", "portals", "portal_id"),
        "ref apps partner": _ref("apps", "partner_id", "partners", "partner_id"),
        "ref apps technology partner": """SELECT count(*) FROM raw.apps a JOIN raw.partners p USING (partner_id)
            WHERE p.program <> 'technology'""",
        "ref certification app": _ref("app_certifications", "app_id", "apps", "app_id"),
        "ref install app": _ref("app_installs", "app_id", "apps", "app_id"),
        "ref install portal": _ref("app_installs", "portal_id", "portals", "portal_id"),
        "ref usage app": _ref("app_usage_monthly", "app_id", "apps", "app_id"),
        "ref usage portal": _ref("app_usage_monthly", "portal_id", "portals", "portal_id"),
        "ref review app": _ref("marketplace_reviews", "app_id", "apps", "app_id"),
        "ref review portal": _ref("marketplace_reviews", "portal_id", "portals", "portal_id"),
        "ref submission partner": _ref("influenced_revenue_submissions", "partner_id", "partners", "partner_id"),
        "ref submission portal": _ref("influenced_revenue_submissions", "portal_id", "portals", "portal_id"),
        "ref form partner": _ref("partner_poc_forms", "partner_id", "partners", "partner_id"),
        "ref escalation partner": _ref("compliance_escalations", "partner_id", "partners", "partner_id"),
        "ref baseline partner": _ref("technology_tier_baseline", "partner_id", "partners", "partner_id"),
        "ref deal portal": _ref("deals", "portal_id", "portals", "portal_id"),
        "ref deal_partners deal": _ref("deal_partners", "deal_id", "deals", "deal_id"),
        "ref deal_partners solutions partner": """SELECT count(*) FROM raw.deal_partners d
            LEFT JOIN raw.partners p USING (partner_id) WHERE p.program IS DISTINCT FROM 'solutions'""",
        "ref line item deal": _ref("deal_line_items", "deal_id", "deals", "deal_id"),
        "ref poi deal": _ref("proof_of_involvement", "deal_id", "deals", "deal_id"),
        "ref poi partner": _ref("proof_of_involvement", "partner_id", "partners", "partner_id"),
        "ref activity partner": _ref("partner_portal_activity", "partner_id", "partners", "partner_id"),
        "ref activity portal": _ref("partner_portal_activity", "portal_id", "portals", "portal_id"),
        "ref decision deal": _ref("credit_decisions", "deal_id", "deals", "deal_id"),
        "ref decision partner": _ref("credit_decisions", "partner_id", "partners", "partner_id"),
    }
    q.update(refs)
    order = {
        "apps delisted after listed": "SELECT count(*) FROM raw.apps WHERE delisted_on < listed_on",
        "certification expires after": "SELECT count(*) FROM raw.app_certifications WHERE expires_on <= certified_on",
        "uninstall after install": "SELECT count(*) FROM raw.app_installs WHERE uninstalled_at < installed_at",
        "escalation resolved after opened": "SELECT count(*) FROM raw.compliance_escalations"
        " WHERE resolved_on < opened_on",
        "deal closed after registered": "SELECT count(*) FROM raw.deals WHERE closed_on < registered_on",
        "deal closed iff not open": """SELECT count(*) FROM raw.deals
            WHERE (stage = 'open') <> (closed_on IS NULL)""",
        "poi signed_at iff signed": """SELECT count(*) FROM raw.proof_of_involvement
            WHERE (status = 'signed') <> (signed_at IS NOT NULL)""",
    }
    q.update(order)
    for feed in ("portal_mrr_monthly", "app_usage_monthly"):
        q[f"months contiguous {feed}"] = f"""SELECT CASE WHEN count(DISTINCT month) = 36
            AND date_diff('month', min(month), max(month)) = 35 THEN 0 ELSE 1 END FROM raw.{feed}"""
    return q


def contract_violations(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every check with its number of violating rows."""
    return {name: int(con.execute(sql).fetchone()[0]) for name, sql in violation_queries().items()}


def tier_estimate_sql(evaluation_date: date) -> str:
    """Per technology partner: the A3 metrics over W(E) and the highest tier passed on
    performance (X_perf, rules.md A4/A5; reviews, rating and certification counted as passing
    before 2027, D9). A rough SQL estimate, not the rules engine."""
    e = evaluation_date
    q_start = date(e.year, (e.month - 1) // 3 * 3 + 1, 1)
    w_from = date(q_start.year - 1, q_start.month, 1)
    enforced = "true" if e >= date(2027, 1, 1) else "false"
    return f"""
    WITH params AS (SELECT DATE '{e}' AS e, DATE '{w_from}' AS w_from,
                           DATE '{q_start}' - INTERVAL 1 DAY AS w_to, {enforced} AS enforced),
    months AS (SELECT CAST(unnest(generate_series(w_from, w_to, INTERVAL 1 MONTH)) AS DATE) AS month FROM params),
    portal_mrr AS (
        SELECT portal_id, month, sum(mrr_usd) AS mrr FROM raw.portal_mrr_monthly
        WHERE product_line <> 'credit_overage'
          AND month BETWEEN (SELECT w_from FROM params) AND (SELECT w_to FROM params)
        GROUP BY ALL),
    app_month AS (  -- D1: listed in the month
        SELECT a.app_id, a.partner_id, m.month FROM raw.apps a, months m
        WHERE a.listed_on <= last_day(m.month) AND (a.delisted_on IS NULL OR a.delisted_on > m.month)),
    active AS (  -- D4
        SELECT DISTINCT am.partner_id, u.portal_id, u.month
        FROM raw.app_usage_monthly u
        JOIN app_month am ON am.app_id = u.app_id AND am.month = u.month
        JOIN raw.app_installs i ON i.app_id = u.app_id AND i.portal_id = u.portal_id
          AND CAST(i.installed_at AS DATE) <= last_day(u.month)
          AND (i.uninstalled_at IS NULL OR CAST(i.uninstalled_at AS DATE) >= u.month)
        WHERE u.api_calls > 0),
    attached AS (
        SELECT a.partner_id, sum(coalesce(pm.mrr, 0)) / 12.0 AS attached_mrr
        FROM active a LEFT JOIN portal_mrr pm USING (portal_id, month) GROUP BY ALL),
    first90 AS (  -- A3 90-day install MRR, D5
        SELECT ap.partner_id, i.portal_id, min(CAST(i.installed_at AS DATE)) AS d
        FROM raw.app_installs i JOIN raw.apps ap USING (app_id) JOIN raw.portals p USING (portal_id), params
        WHERE CAST(i.installed_at AS DATE) BETWEEN w_from AND w_to
          AND CAST(i.installed_at AS DATE) BETWEEN p.first_purchase_on AND p.first_purchase_on + 90
        GROUP BY ALL),
    install90 AS (
        SELECT f.partner_id, sum(coalesce(pm.mrr, 0)) AS install_90d_mrr FROM first90 f
        LEFT JOIN portal_mrr pm ON pm.portal_id = f.portal_id AND pm.month = date_trunc('month', f.d)
        GROUP BY ALL),
    infl AS (  -- D6
        SELECT partner_id, sum(mrr_usd) AS influenced_mrr FROM (
            SELECT *, row_number() OVER (PARTITION BY partner_id, deal_id
                                         ORDER BY submitted_at DESC, submission_id DESC) AS rn
            FROM raw.influenced_revenue_submissions WHERE review_status = 'approved'), params
        WHERE rn = 1 AND closed_on BETWEEN w_from AND w_to GROUP BY ALL),
    rev AS (
        SELECT ap.partner_id, count(*) AS review_count, avg(rating) AS avg_rating
        FROM raw.marketplace_reviews r JOIN raw.apps ap USING (app_id), params
        WHERE r.status = 'published' AND CAST(r.submitted_at AS DATE) BETWEEN w_from AND w_to GROUP BY ALL),
    live AS (
        SELECT DISTINCT partner_id FROM raw.apps, params
        WHERE listed_on <= e AND (delisted_on IS NULL OR delisted_on > e)),
    m AS (
        SELECT l.partner_id, coalesce(attached_mrr, 0) AS attached_mrr, coalesce(install_90d_mrr, 0) AS install_90d_mrr,
               coalesce(influenced_mrr, 0) AS influenced_mrr, coalesce(review_count, 0) AS review_count, avg_rating
        FROM live l LEFT JOIN attached USING (partner_id) LEFT JOIN install90 USING (partner_id)
        LEFT JOIN infl USING (partner_id) LEFT JOIN rev USING (partner_id)),
    passes AS (
        SELECT m.*,
          attached_mrr >= 400000 AND (influenced_mrr >= 1000 OR install_90d_mrr >= 5000)
            AND (NOT enforced OR (review_count >= 5 AND avg_rating >= 3.5)) AS pass_rising,
          attached_mrr >= 1000000 AND (influenced_mrr >= 5000 OR install_90d_mrr >= 30000)
            AND (NOT enforced OR (review_count >= 5 AND avg_rating >= 4.0)) AS pass_leading,
          ((attached_mrr >= 7000000 AND (influenced_mrr >= 30000 OR install_90d_mrr >= 100000))
            OR influenced_mrr >= 100000)
            AND (NOT enforced OR (review_count >= 10 AND avg_rating >= 4.0)) AS pass_premier,
          influenced_mrr >= 100000 AND NOT (attached_mrr >= 7000000
            AND (influenced_mrr >= 30000 OR install_90d_mrr >= 100000)) AS premier_by_exception
        FROM m, params)
    SELECT *, CASE WHEN pass_premier THEN 'premier' WHEN pass_leading THEN 'leading' WHEN pass_rising THEN 'rising'
                   ELSE 'partner' END AS x_perf
    FROM passes ORDER BY attached_mrr DESC
    """


def tier_mix(con: duckdb.DuckDBPyConnection, evaluation_date: date) -> dict[str, int]:
    rows = con.execute(f"SELECT x_perf, count(*) FROM ({tier_estimate_sql(evaluation_date)}) GROUP BY 1").fetchall()
    mix = dict.fromkeys(TIERS, 0)
    mix.update({t: int(n) for t, n in rows})
    return mix
