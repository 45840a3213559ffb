"""Notification drafts (issue 17 item 3): per publication, the e-mails the program guide describes, as
drafts a partner manager reviews — the warehouse never sends anything.

[TPP "Notification et activation"]: a partner moving to a new tier is told by e-mail; Leading and Premier
must complete the point-of-contact form within the window (rules.md A7, D10, D11) or the change is not
processed that quarter; downgrades happen in January and July from 2027 (A2, A9 row 8); an upgrade is
held for a partner not in good standing (A8, D12). One draft per partner whose action is one of these,
in French and English, rendered with Jinja2 from `notification_templates/`, each listing the numbers
of the published tier extract it is written from (the same frame, so they cannot differ).

Files of a version (listed in its manifest like every other file): `notifications.parquet` (one row per
draft: partner, kind, language, subject, body) and `notifications_en.md` / `notifications_fr.md` (every
draft of the language, for reading).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from orchestration.program import PROGRAM

NOTIFICATIONS = "notifications"
LANGUAGES = ("en", "fr")
TEMPLATES = Path(__file__).resolve().parent / "notification_templates"

# rules.md A9 action -> the draft it calls for. Other actions (unchanged, joined, waived or out-of-window
# downgrades, left/not in program) call for none.
KIND_OF_ACTION = {
    "upgrade": "new_tier",
    "downgrade": "downgrade",
    "upgrade_pending_poc_form": "poc_form_pending",
    "upgrade_held_compliance": "upgrade_held",
    "upgrade_deferred_no_poc_form": "upgrade_lost",
}

# Tier names and number formats as partners read them in each language (the guide's French spelling).
TIER_NAMES = {
    "en": {
        "not_in_program": "not in the program",
        "partner": "Partner",
        "rising": "Rising",
        "leading": "Leading",
        "premier": "Premier",
    },
    "fr": {
        "not_in_program": "hors programme",
        "partner": "Partenaire",
        "rising": "Rising",
        "leading": "Leading",
        "premier": "Premier",
    },
}
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _grouped(value: float, decimals: int, language: str) -> str:
    text = f"{value:,.{decimals}f}"
    if language == "fr":  # 1 234,50: a narrow no-break space groups thousands, a comma marks decimals
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _formatters(language: str) -> dict[str, Any]:
    def money(value: Any) -> str:
        if value is None or pd.isna(value):
            return "—"
        amount = _grouped(float(value), 2, language)
        return f"{amount} $" if language == "fr" else f"${amount}"

    def number(value: Any) -> str:
        return "—" if value is None or pd.isna(value) else _grouped(float(value), 0, language)

    def rating(value: Any) -> str:
        if value is None or pd.isna(value):
            return "aucune" if language == "fr" else "none"
        return _grouped(float(value), 2, language)

    def long_date(value: date) -> str:
        if language == "fr":
            return f"{value.day} {MONTHS_FR[value.month - 1]} {value.year}"
        return f"{value:%B} {value.day}, {value.year}"

    def tier(value: Any) -> str:
        return TIER_NAMES[language].get(value, str(value)) if value else TIER_NAMES[language]["not_in_program"]

    return {"money": money, "number": number, "rating": rating, "long_date": long_date, "tier": tier}


def _environment(language: str) -> Environment:
    # Plain text e-mails: no HTML escaping; StrictUndefined so a template naming a missing column fails.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
    )
    env.filters.update(_formatters(language))
    return env


def render_drafts(extract: pd.DataFrame, evaluation_date: date) -> pd.DataFrame:
    """One row per partner needing a draft and language: partner_id, partner_name, evaluation_date, action,
    kind, language, subject, body. `extract` is the tier extract being published."""
    deadline = evaluation_date + timedelta(days=PROGRAM.poc_form_window_days)  # rules.md D10: E + window
    wanted = extract[extract["action"].isin(list(KIND_OF_ACTION))]
    wanted = wanted.astype(object).where(wanted.notna(), None)  # a missing value reads as none, not NaN
    rows: list[dict[str, Any]] = []
    for language in LANGUAGES:
        env = _environment(language)
        for record in wanted.to_dict("records"):  # one e-mail each: templating is per partner by nature
            kind = KIND_OF_ACTION[record["action"]]
            text = env.get_template(f"{kind}.{language}.j2").render(
                row=record,
                name=record.get("partner_name") or record["partner_id"],
                e=evaluation_date,
                deadline=deadline,
                program=PROGRAM,
            )
            subject_line, _, body = text.partition("\n")
            rows.append(
                {
                    "partner_id": record["partner_id"],
                    "partner_name": record.get("partner_name"),
                    "evaluation_date": evaluation_date,
                    "action": record["action"],
                    "kind": kind,
                    "language": language,
                    "subject": subject_line.partition(":")[2].strip(),
                    "body": body.strip() + "\n",
                }
            )
    columns = ["partner_id", "partner_name", "evaluation_date", "action", "kind", "language", "subject", "body"]
    return pd.DataFrame(rows, columns=columns).sort_values(["language", "partner_id"], ignore_index=True)


def write_notifications(extract: pd.DataFrame, staging: Path, evaluation_date: date) -> int:
    """Write the drafts of one version into `staging`; returns the number of drafts (every language)."""
    drafts = render_drafts(extract, evaluation_date)
    drafts.to_parquet(staging / f"{NOTIFICATIONS}.parquet", index=False)
    for language in LANGUAGES:
        own = drafts[drafts["language"] == language]
        heading = (
            f"# Brouillons de notification — évaluation du {_formatters('fr')['long_date'](evaluation_date)}"
            if language == "fr"
            else f"# Notification drafts — evaluation of {_formatters('en')['long_date'](evaluation_date)}"
        )
        note = (
            "À relire par le responsable partenaire avant tout envoi ; l'entrepôt n'envoie aucun e-mail."
            if language == "fr"
            else "For the partner manager to review before sending; the warehouse sends no e-mail."
        )
        parts = [heading, "", note, ""]
        for draft in own.itertuples():
            parts += [f"## {draft.partner_id} · {draft.kind}", "", f"**{draft.subject}**", "", draft.body]
        if own.empty:
            parts.append("(aucun brouillon)" if language == "fr" else "(no draft)")
        (staging / f"{NOTIFICATIONS}_{language}.md").write_text("\n".join(parts), encoding="utf-8")
    return len(drafts)
