"""The portal's solutions commission statements (issue 15 item 3): read only the published statement
files (orchestration/defs/publication/statements.py), like the tier pages read the tier extract.

- /statements                                   every published quarter: version, partners, total payout
- /statements/<Q>                               the quarter's solutions partners and their payouts
- /statements/<Q>/partners/<id>                 one partner's statement: payout, accruals, sold and
                                                managed MRR by month, lines not credited, charts
- /statement-files/<Q>/v<N>/<name>              a file of a published version (manifest-listed only)

The charts span every published quarter's current version (the partner's months and payouts as
published), never the marts: the page shows what was sent to the partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from orchestration.defs.publication.statements import (
    ACCRUALS,
    MONTHLY,
    NOT_CREDITED,
    PAYOUTS,
    quarter_label,
    quarter_last_day,
    statement_store,
)
from orchestration.defs.publication.store import Version
from orchestration.portal.chart import Series, line_chart
from orchestration.portal.data import NotFound, PortalData, gate_of, read_parquet


def statements_url() -> str:
    return "/statements"


def statement_quarter_url(q: date) -> str:
    return f"/statements/{q.isoformat()}"


def statement_partner_url(q: date, partner_id: str) -> str:
    return f"/statements/{q.isoformat()}/partners/{quote(str(partner_id), safe='')}"


def statement_file_url(q: date, version: int, name: str) -> str:
    return f"/statement-files/{q.isoformat()}/v{version}/{quote(name, safe='')}"


@dataclass
class StatementQuarter:
    quarter: date
    current: Version
    versions: list[Version]
    payouts: list[dict[str, Any]]
    gate: dict[str, Any]

    @property
    def label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def end(self) -> date:
        return quarter_last_day(self.quarter)


@dataclass
class StatementPage:
    quarter: date
    current: Version
    payout: dict[str, Any]
    accruals: list[dict[str, Any]]
    monthly: list[dict[str, Any]]
    not_credited: list[dict[str, Any]]
    charts: list[dict[str, Any]]

    @property
    def label(self) -> str:
        return quarter_label(self.quarter)


class StatementData(PortalData):
    """PortalData over the statements' store: `version` and `download` serve statement versions."""

    def __init__(self, publish_dir: Path):
        super().__init__(publish_dir)
        self.store = statement_store(self.root)

    def _rows(self, v: Version, table: str, partner_id: str | None = None) -> list[dict[str, Any]]:
        rows = read_parquet(v.path / f"{table}.parquet")
        return [r for r in rows if partner_id is None or r["partner_id"] == partner_id]

    def quarters(self) -> list[StatementQuarter]:
        out = []
        for q in reversed(self.store.evaluation_dates()):
            current = self.store.current(q)
            if current is not None:
                out.append(self.quarter(q))
        return out

    def quarter(self, q: date) -> StatementQuarter:
        current = self.version(q)
        payouts = sorted(self._rows(current, PAYOUTS), key=lambda r: (-(r["payout_usd"] or 0), r["partner_id"]))
        return StatementQuarter(q, current, self.store.versions(q), payouts, gate_of(current.manifest.get("checks")))

    def statement(self, q: date, partner_id: str) -> StatementPage:
        current = self.version(q)
        payout = next(iter(self._rows(current, PAYOUTS, partner_id)), None)
        if payout is None:
            raise NotFound(f"partner {partner_id!r} has no statement for {quarter_label(q)}")
        name = payout.get("partner_name") or partner_id
        return StatementPage(
            quarter=q,
            current=current,
            payout=payout,
            accruals=self._rows(current, ACCRUALS, partner_id),
            monthly=self._rows(current, MONTHLY, partner_id),
            not_credited=self._rows(current, NOT_CREDITED, partner_id),
            charts=self._charts(q, partner_id, name),
        )

    def _charts(self, q: date, partner_id: str, name: str) -> list[dict[str, Any]]:
        """Sold and managed MRR by month, and the payout by quarter, over every current statement."""
        months: dict[date, dict[str, Any]] = {}
        payouts: list[tuple[date, float | None]] = []
        for key in self.store.evaluation_dates():
            v = self.store.current(key)
            if v is None:
                continue
            for r in self._rows(v, MONTHLY, partner_id):
                months[r["month"]] = r
            payouts += [(key, float(r["payout_usd"])) for r in self._rows(v, PAYOUTS, partner_id)]

        def monthly(column: str) -> list[tuple[date, float | None]]:
            return [(m, float(r[column])) for m, r in sorted(months.items())]

        return [
            {
                "title": "Sold and managed MRR by month",
                "legend": [("sold", "Sold MRR"), ("managed", "Managed MRR")],
                "svg": line_chart(
                    [
                        Series("Sold MRR", monthly("sold_mrr"), "sold"),
                        Series("Managed MRR", monthly("managed_mrr"), "managed"),
                    ],  # fmt: skip
                    title=f"Sold and managed MRR of {name} by month",
                    highlight=q,
                ),
            },
            {
                "title": "Commission payout by quarter",
                "legend": [("payout", "Payout")],
                "svg": line_chart(
                    [Series("Payout", payouts, "payout")], title=f"Commission payouts of {name}", highlight=q
                ),
            },
        ]


def env_globals() -> dict[str, Any]:
    return {
        "statements_url": statements_url,
        "statement_quarter_url": statement_quarter_url,
        "statement_partner_url": statement_partner_url,
        "statement_file_url": statement_file_url,
        "quarter_label": quarter_label,
    }
