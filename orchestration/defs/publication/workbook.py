"""The Excel tier extract a partner manager would make by hand (issue 15 items 1 and 2).

Three sheets, in English or French (`labels.LANGUAGES`):
- *Tiers*: one row per partner, readable headers and labels, `$#,##0.00` money, Yes/No, partner id
  and name frozen (panes at C2), an autofilter, sized columns, pass/fail colouring, and the gap to
  the next tier in words and, per metric, in numbers;
- *Requirements*: one row per partner x tier x requirement, each value in its unit;
- *Read me*: the evaluation date, version, gate result and language, what every column means with
  the rule ids behind it, and the raw codes of the CSV/Parquet with their labels.
Every sheet prints landscape, one page wide, its header row repeated on every page.

Every text cell is typed as a string, so a partner name such as `=HYPERLINK(...)` is text Excel never
evaluates (issue 13 item 5, docs/input-trust.md). The machine-readable CSV and Parquet are written
elsewhere (publish.py) and keep their snake_case columns and raw codes.

Written in openpyxl's write-only mode: rows are streamed to the file, not held as cell objects (a
write-only sheet takes its widths, panes, filter and print settings before its first row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from orchestration.defs.publication.sheet_rows import SheetColumn, rows_buffer, splice_rows
from orchestration.portal import labels
from orchestration.portal.labels import text
from orchestration.program import PROGRAM

MONEY_FORMAT = "$#,##0.00"
COUNT_FORMAT = "#,##0"
RATING_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
FORMATS = {"money": MONEY_FORMAT, "count": COUNT_FORMAT, "rating": RATING_FORMAT, "date": DATE_FORMAT}

# A font replacing the default names it again: a Font without a name renders in a serif face.
FONT = "Calibri"
HEADER_FONT, HEADER_FILL = Font(name=FONT, bold=True, color="FFFFFF"), PatternFill("solid", fgColor="33475B")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
# Excel's own "Good", "Bad" and "Neutral" cell styles: the colours a partner manager already reads.
GOOD = (PatternFill("solid", fgColor="C6EFCE"), Font(name=FONT, color="006100"))
BAD = (PatternFill("solid", fgColor="FFC7CE"), Font(name=FONT, color="9C0006"))
NEUTRAL = (PatternFill("solid", fgColor="FFEB9C"), Font(name=FONT, color="9C5700"))
STATUS_STYLE = {"pass": GOOD, "fail": BAD, "preferred_missing": NEUTRAL, "not_enforced": NEUTRAL}

SHEET_TIERS, SHEET_REQUIREMENTS, SHEET_README = "Tiers", "Requirements", "Read me"
FROZEN_AT = "C2"  # partner id and name stay on screen while the metrics scroll


@dataclass(frozen=True)
class Column:
    key: str  # column of the sheet's frame
    header: str  # English; labels.text gives the French
    meaning: str  # English, for the Read me sheet
    rules: str  # the rule ids behind the column (rules.md)
    kind: str = "text"  # text, money, count, rating, date; "unit" takes the format from the row
    width: int = 14
    wrap: bool = False


# The frozen pair (FROZEN_AT) that starts every data sheet.
PARTNER_COLUMNS: tuple[Column, ...] = (
    Column("partner_id", "Partner ID", "The technology partner's id (the CSV's partner_id).", "", width=14),
    Column("partner_name", "Partner", "The partner's name.", "", width=28),
)
TIERS_COLUMNS: tuple[Column, ...] = (
    *PARTNER_COLUMNS,
    Column("tier_before", "Tier before", "Tier in force before the evaluation date.", "A9", width=14),
    Column("tier_after", "Tier after", "Tier from the evaluation date on.", "A9", width=14),
    Column("action", "Action", "What happened to the tier.", "A9, D13", width=26),
    Column("explanation", "Why", "The action in one sentence.", "A9, A10, D11", width=48, wrap=True),
    Column(
        "qualified_tier_on_performance",
        "Qualifies on performance",
        "Highest tier whose metric and program requirements pass, the POC form aside.",
        "A4, A5, A7",
    ),  # fmt: skip
    Column("qualified_tier", "Qualifies with its POC form", "Highest tier it fully qualifies for.", "A7, D10, D11"),
    Column("pending_tier", "Pending tier", "Tier reached on performance, waiting for the POC form.", "D11"),
    Column("in_good_standing", "In good standing", "No responsible escalation open or recent.", "A8, D12", width=12),
    Column(
        "escalations",
        "Escalations holding it",
        "The responsible escalations breaking good standing, since when, and how many are unresolved.",
        "A8, D12",
        width=30,
        wrap=True,
    ),  # fmt: skip
    Column(
        "good_standing_restored_on",
        "Good standing returns on",
        "First date the escalations stop counting: last resolution + lookback + 1 day (blank while one is open).",
        "D12",
        kind="date",
        width=14,
    ),  # fmt: skip
    Column("needs_review", "Needs review", "Flagged for partner-manager review.", "D12", width=12),
    Column("at_risk", "At risk", "Keeps a tier whose requirements it no longer meets.", "A9", width=10),
    Column("premier_exception_used", "Premier exception", "Premier reached through the exception.", "A5", width=12),
    Column("attached_mrr", "Attached MRR (12-month mean)", "Mean monthly attached MRR over W.", "A3, D2", "money", 18),
    Column("install_90d_mrr", "90-day install MRR", "MRR of portals installing within 90 days.", "A3, D5", "money", 16),
    Column("influenced_deals_mrr", "Influenced-deals MRR", "MRR of influenced deals over W.", "A3", "money", 16),
    Column("review_count", "Reviews", "Marketplace reviews over W.", "A3, D9", "count", 10),
    Column("avg_rating", "Average rating", "Mean marketplace rating over W.", "A3, D9", "rating", 10),
    Column("live_app_count", "Live apps", "Apps listed on the evaluation date.", "A4, D1", "count", 10),
    Column("certified_live_app_count", "Certified live apps", "Live apps certified on the date.", "D8", "count", 10),
    Column("poc_form_submitted_on", "POC form received", "Date of the POC form used.", "A7, D10", "date", 12),
    Column("next_tier", "Next tier", "The tier above the tier after (blank at Premier).", "A10", width=12),
    Column(
        "gap_words",
        "Missing for the next tier",
        "Each blocking requirement of the next tier: value, threshold, gap.",
        "A10",
        width=48,
        wrap=True,
    ),  # fmt: skip
    Column("short_attached_mrr", "Attached MRR short by", "Attached MRR still missing.", "A10", "money", 16),
    Column("short_influenced_mrr", "Influenced MRR short by", "Influenced-deals MRR missing.", "A10", "money", 16),
    Column("short_review_count", "Reviews short by", "Reviews still missing.", "A10", "count", 10),
    Column("short_avg_rating", "Rating short by", "Rating points still missing.", "A10", "rating", 10),
    Column("benefits_text", "Benefits of the tier", "Benefits of the tier after, level, qualifier.", "A10", width=60),
    Column("benefits_active", "Benefits active", "False while the tier's POC form is incomplete.", "A10, A7", width=10),
)

REQUIREMENTS_COLUMNS: tuple[Column, ...] = (
    *PARTNER_COLUMNS,
    Column("tier", "Tier", "Tier the requirement belongs to.", "A4", width=12),
    Column("requirement", "Requirement", "The requirement, in the guide's words.", "A4", width=40),
    Column("level", "Level", "Required or preferred.", "A4", width=12),
    Column("value", "Value", "The partner's value, in the requirement's unit.", "A3, A4", "unit", 16),
    Column("threshold", "Threshold", "The tier's threshold (at least).", "A4", "unit", 16),
    Column("status", "Result", "Pass, fail, not enforced yet, or preferred and missing.", "A4, A6, D9", width=22),
    Column("shortfall", "Short by", "Threshold minus value when it fails.", "A10", "unit", 16),
    Column("decided_by", "Decided by", "The branch whose value and threshold are shown.", "A4, A5", width=22),
    Column("enforced_from", "Enforced from", "First date the requirement is enforced.", "A6, D9", "date", 12),
)

DECIDED_BY = {
    "threshold": "Its own threshold",
    "install_90d": "90-day install MRR",
    "exception": "Premier exception",
}
REQUIREMENT_UNIT = {
    **{r: "money" for r in labels.MONEY_REQUIREMENTS},
    **{r: "count" for r in labels.COUNT_REQUIREMENTS},
    **{r: "rating" for r in labels.RATING_REQUIREMENTS},
}


@dataclass(frozen=True)
class ExtractContext:
    """What the Read me sheet states about the version the workbook belongs to."""

    evaluation_date: date
    version: int
    run_date: date
    final: bool
    gate_summary: str
    code_version: str


# ---------------------------------------------------------------------------------------------
# Frames: the extract's rows in words (vectorised; the labels are dictionaries)


def _mapped(series: pd.Series, words: Callable[[Any, str], str], lang: str) -> pd.Series:
    codes = series.dropna().unique()
    return series.map({c: words(c, lang) for c in codes})


def _yes_no(series: pd.Series, lang: str) -> pd.Series:
    return series.map({True: text("Yes", lang), False: text("No", lang)})


def _amount(value: float, requirement: str, lang: str) -> str:
    return labels.requirement_value(value, requirement, lang)


def gap_words(gaps: pd.DataFrame, lang: str) -> pd.Series:
    """Per partner, the next tier's blocking requirements in words (rules.md A10), e.g.
    'Attached MRR (12-month mean): $1,351,164.68 of $7,000,000.00, short by $5,648,835.32'."""
    if gaps.empty:
        return pd.Series(dtype=object)
    g = gaps.sort_values(["partner_id", "requirement"])
    label = g["requirement"].map(lambda r: labels.requirement_label(r, lang))
    measured = g["requirement"].isin(REQUIREMENT_UNIT)
    short, of = text("{value} of {threshold}, short by {short}", lang), text("{value} of {threshold}", lang)
    numbers = [
        (of if pd.isna(s) else short).format(  # no value (no rating yet): no shortfall to state
            value=_amount(v, r, lang), threshold=_amount(t, r, lang), short=labels.shortfall_value(s, r, lang)
        )
        for r, v, t, s in zip(g["requirement"], g["value"], g["threshold"], g["shortfall"], strict=True)
    ]
    alternative = text("or 90-day install MRR {value} of {threshold}", lang)
    numbers = [
        n if pd.isna(t) else f"{n} ({alternative.format(value=labels.money(v, lang), threshold=labels.money(t, lang))})"
        for n, v, t in zip(numbers, g["install_90d_value"], g["install_90d_threshold"], strict=True)
    ]
    what = pd.Series(numbers, index=g.index).where(measured, text("missing", lang))
    line = text("{label}: {what}", lang)
    g = g.assign(words=[line.format(label=a, what=b) for a, b in zip(label, what, strict=True)])
    return g.groupby("partner_id")["words"].agg("; ".join)


def benefits_words(benefits: pd.DataFrame, lang: str) -> pd.Series:
    """Per partner, the tier's benefits with level and qualifier: the guide's French, or the seed's
    English translation (rules.md A10, issue 15 item 2)."""
    if benefits.empty:
        return pd.Series(dtype=object)
    b = benefits.sort_values(["partner_id", "benefit_id"])
    suffix = "" if lang == "fr" else "_en"
    qualifier = (", " + b[f"qualifier{suffix}"]).fillna("")
    words = b[f"benefit{suffix}"] + " (" + _mapped(b["level"], labels.level_label, lang) + qualifier + ")"
    return b.assign(words=words).groupby("partner_id")["words"].agg("; ".join)


def tiers_frame(extract: pd.DataFrame, gaps: pd.DataFrame, benefits: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The Tiers sheet's rows: the extract's columns in words, the gap in words and numbers."""
    f = extract.copy()
    for col in ("tier_before", "tier_after", "qualified_tier_on_performance", "qualified_tier", "pending_tier",
                "next_tier"):  # fmt: skip
        f[col] = _mapped(f[col], labels.tier_label, lang)
    f["explanation"] = [
        labels.action_explanation(a, b, t, p, lang)
        for a, b, t, p in zip(
            extract["action"], extract["tier_before"], extract["tier_after"], extract["pending_tier"], strict=True
        )
    ]
    f["action"] = _mapped(f["action"], labels.action_label, lang)
    for col in ("in_good_standing", "needs_review", "at_risk", "premier_exception_used", "benefits_active"):
        f[col] = _yes_no(f[col].astype("boolean"), lang)
    since = text("{ids} since {since}", lang)
    unresolved = text("{n} unresolved", lang)
    f["escalations"] = [
        None
        if not isinstance(ids, str)
        else since.format(ids=ids, since=labels.short_date(pd.Timestamp(s).date()))
        + (f" ({unresolved.format(n=int(n))})" if n else "")
        for ids, s, n in zip(
            extract["breaking_escalation_ids"],
            extract["breaking_escalations_since"],
            extract["breaking_escalations_unresolved"].fillna(0),
            strict=True,
        )
    ]
    words = gap_words(gaps, lang)
    meets = text("Meets every blocking requirement of {tier}", lang)
    f["gap_words"] = f["partner_id"].map(words)
    no_gap = f["gap_words"].isna() & extract["next_tier"].notna()
    f.loc[no_gap, "gap_words"] = [meets.format(tier=t) for t in f.loc[no_gap, "next_tier"]]
    shortfalls = gaps.pivot_table(index="partner_id", columns="requirement", values="shortfall", aggfunc="max")
    for requirement in ("attached_mrr", "influenced_mrr", "review_count", "avg_rating"):
        column = shortfalls[requirement] if requirement in shortfalls else pd.Series(dtype=float)
        f[f"short_{requirement}"] = f["partner_id"].map(column)
    f["benefits_text"] = f["partner_id"].map(benefits_words(benefits, lang))
    return f


def requirements_frame(requirements: pd.DataFrame, names: pd.Series, lang: str) -> pd.DataFrame:
    """The Requirements sheet's rows, in tier and guide order; yes/no requirements read Yes/No."""
    f = requirements.copy()
    f["partner_name"] = f["partner_id"].map(names)
    f["tier_rank"] = f["tier"].map(PROGRAM.tier_rank)
    order = {r: i for i, r in enumerate(labels.REQUIREMENT_LABELS)}
    f = f.assign(requirement_rank=f["requirement"].map(order)).sort_values(
        ["partner_id", "tier_rank", "requirement_rank"], kind="stable"
    )
    f["unit"] = f["requirement"].map(REQUIREMENT_UNIT)
    yes_no = f["unit"].isna()
    f["shortfall"] = (f["threshold"] - f["value"]).where((f["status"] == "fail") & (f["value"] < f["threshold"]))
    for col in ("value", "threshold"):
        f[col] = f[col].astype(object)
        f.loc[yes_no & f[col].notna(), col] = _yes_no(f.loc[yes_no & f[col].notna(), col].astype(float) >= 1, lang)
    f.loc[yes_no, "shortfall"] = None
    f["status_code"] = f["status"]
    f["status"] = _mapped(f["status"], labels.status_label, lang)
    f["requirement"] = _mapped(f["requirement"], labels.requirement_label, lang)
    f["tier"] = _mapped(f["tier"], labels.tier_label, lang)
    f["level"] = _mapped(f["level"], labels.level_label, lang)
    f["decided_by"] = f["decided_by"].map({k: text(v, lang) for k, v in DECIDED_BY.items()})
    return f.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Sheets


def _cell(ws: Any, value: Any, style: StyleArray | None = None) -> WriteOnlyCell:
    if value is not None and not isinstance(value, str) and pd.isna(value):
        value = None
    elif hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        # Issue 13 item 5: a text starting with '=' would be written as a formula and '#N/A' as an
        # error; a cell typed 's' is a string Excel never evaluates (the text stays as it came).
        cell.data_type = "s"
    if style is not None:
        cell._style = style
    return cell


class _Styles:
    """One cellXfs entry per (format, wrap, colour), made once and shared by the cells that use it;
    its id is what a row's `<c s="...">` names (sheet_rows.py writes the rows)."""

    def __init__(self, ws: Any):
        self.ws = ws
        self.made: dict[tuple[Any, ...], int] = {}

    def __call__(self, number_format: str | None, wrap: bool, colour: tuple[PatternFill, Font] | None) -> int:
        key = (number_format, wrap, id(colour) if colour else None)
        if key not in self.made:
            template = WriteOnlyCell(self.ws)
            template.alignment = WRAP if wrap else TOP  # a tall row reads from its top line
            if number_format:
                template.number_format = number_format
            if colour:
                template.fill, template.font = colour
            self.made[key] = template.style_id  # registers the style with the workbook
        return self.made[key]


def _prepare(ws: Any, columns: Sequence[Column], rows: int, lang: str, title: str) -> None:
    """Widths, frozen panes, filter and print settings: a write-only sheet takes them before any row."""
    last = get_column_letter(len(columns))
    ref = f"A1:{last}{rows + 1}"
    # A write-only sheet does not know its size, and openpyxl leaves out the <dimension> element
    # then; read-only readers (openpyxl's read_only=True, the row-count audit) take the size from it.
    ws.calculate_dimension = lambda: ref
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = FROZEN_AT
    ws.auto_filter.ref = ref
    _print_setup(ws, lang, title)


def _print_setup(ws: Any, lang: str, title: str, *, repeat_header: bool = True) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4 if lang == "fr" else Worksheet.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if repeat_header:
        ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = title
    ws.oddFooter.right.text = text("Page &P of &N", lang)


def _header(ws: Any, columns: Sequence[Column], lang: str) -> list[WriteOnlyCell]:
    headers = pd.Series([text(c.header, lang) for c in columns])
    ws.row_dimensions[1].height = LINE_HEIGHT * max(
        _lines(headers.iloc[i : i + 1], c.width).iloc[0] for i, c in enumerate(columns)
    )
    cells = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=text(c.header, lang))
        cell.data_type = "s"
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        cells.append(cell)
    return cells


LINE_HEIGHT = 15.0  # points per line of the default 11-point font


def _lines(texts: pd.Series, width: int) -> pd.Series:
    """Lines a text takes wrapped in a column `width` characters wide (about: a word may move down)."""
    return (texts.fillna("").astype(str).str.len() // max(1, width - 2) + 1).astype(int)


def _row_heights(columns: Sequence[Column], frame: pd.DataFrame) -> list[float | None]:
    """Row heights for the wrapped columns. LibreOffice (and Excel for a file it did not write) keeps
    the default one-line height, so wrapped text would overlap the next row; None keeps the default."""
    wrapped = [_lines(frame[c.key], c.width) for c in columns if c.wrap]
    if not wrapped or frame.empty:
        return [None] * len(frame)
    lines = pd.concat(wrapped, axis=1).max(axis=1)
    return [None if n <= 1 else LINE_HEIGHT * n for n in lines]


def _write_rows(
    ws: Any,
    columns: Sequence[Column],
    frame: pd.DataFrame,
    styles: dict[str, Callable[[pd.DataFrame], Iterable[tuple[PatternFill, Font] | None]]],
    units: pd.Series | None = None,
) -> bytes | pa.Buffer:
    """The frame's rows as SpreadsheetML (sheet_rows.py), below the header row; `styles` colours a
    column per row, `units` formats the "unit" columns. Style ids are made per distinct
    (format, wrap, colour), so only columns whose style varies by row get an array of them."""
    style = _Styles(ws)
    sheet_columns = []
    for i, c in enumerate(columns, start=1):
        fixed_format = FORMATS.get(c.kind)
        if c.key in styles or (c.kind == "unit" and units is not None):
            formats = [FORMATS.get(u) for u in units] if c.kind == "unit" and units is not None else None
            colours = list(styles[c.key](frame)) if c.key in styles else None
            ids = np.fromiter(
                (
                    style(formats[r] if formats else fixed_format, c.wrap, colours[r] if colours else None)
                    for r in range(len(frame))
                ),
                dtype=np.int64,
                count=len(frame),
            )
        else:
            ids = style(fixed_format, c.wrap, None)
        sheet_columns.append(SheetColumn(get_column_letter(i), frame[c.key], ids))
    return rows_buffer(sheet_columns, first_row=2, heights=_row_heights(columns, frame))


def _flag_styles(frame: pd.DataFrame, key: str, bad_when: str) -> list[tuple[PatternFill, Font] | None]:
    return [None if v is None or pd.isna(v) else BAD if v == bad_when else GOOD for v in frame[key]]


def _tiers_styles(lang: str) -> dict[str, Callable[[pd.DataFrame], Iterable[tuple[PatternFill, Font] | None]]]:
    yes, no = text("Yes", lang), text("No", lang)
    meets = text("Meets every blocking requirement of {tier}", lang).split("{tier}")[0]

    def gap(frame: pd.DataFrame) -> list[tuple[PatternFill, Font] | None]:
        return [None if not isinstance(v, str) else GOOD if v.startswith(meets) else BAD for v in frame["gap_words"]]

    def shortfall(key: str) -> Callable[[pd.DataFrame], list[tuple[PatternFill, Font] | None]]:
        return lambda frame: [BAD if isinstance(v, float) and v > 0 else None for v in frame[key]]

    return {
        "in_good_standing": lambda f: _flag_styles(f, "in_good_standing", no),
        "benefits_active": lambda f: _flag_styles(f, "benefits_active", no),
        "needs_review": lambda f: [NEUTRAL if v == yes else None for v in f["needs_review"]],
        "at_risk": lambda f: [NEUTRAL if v == yes else None for v in f["at_risk"]],
        "gap_words": gap,
        **{
            c: shortfall(c)
            for c in ("short_attached_mrr", "short_influenced_mrr", "short_review_count", "short_avg_rating")
        },  # fmt: skip
    }


def _readme(wb: Workbook, context: ExtractContext, lang: str, title: str) -> None:
    ws = wb.create_sheet(text(SHEET_README, lang))
    for letter, width in zip("ABCD", (30, 18, 70, 16), strict=True):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, lang, title, repeat_header=False)  # its first row is the title, not a header

    def line(*values: Any, bold: bool = False, header: bool = False) -> None:
        cells = [_cell(ws, v) for v in values]
        for cell in cells:
            cell.alignment = WRAP
            if bold:
                cell.font = Font(name=FONT, bold=True, size=14)
            if header:
                cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.append(cells)

    line(title, bold=True)
    state = text("Final" if context.final else "POC window open", lang)
    for name, value in (
        ("Evaluation date", labels.long_date(context.evaluation_date, lang)),
        ("Version", f"{context.version} ({state})"),
        ("Run date", context.run_date.isoformat()),
        ("Data-quality gate", context.gate_summary or "—"),
        ("Code version", context.code_version),
        ("Language", labels.LANGUAGE_NAMES[lang]),
    ):
        line(text(name, lang), value)
    line()
    line(text("The raw codes, the snake_case columns and every number are in tier_extract.csv and .parquet.", lang))
    line()
    line(text("Column", lang), text("Sheet", lang), text("Meaning", lang), text("Rules (rules.md)", lang), header=True)
    for sheet, columns in ((SHEET_TIERS, TIERS_COLUMNS), (SHEET_REQUIREMENTS, REQUIREMENTS_COLUMNS)):
        for c in columns:
            line(text(c.header, lang), text(sheet, lang), text(c.meaning, lang), c.rules)
    line()
    line(text("Code in the CSV", lang), text("Kind", lang), text("Label", lang), "", header=True)
    for kind, vocabulary in (
        ("Tier", labels.TIER_LABELS),
        ("Action", labels.ACTION_LABELS),
        ("Result", labels.STATUS_LABELS),
    ):
        for code in vocabulary:
            word = {"Tier": labels.tier_label, "Action": labels.action_label, "Result": labels.status_label}[kind]
            line(code, text(kind, lang), word(code, lang))


def write_workbook(
    extract: pd.DataFrame,
    requirements: pd.DataFrame,
    gaps: pd.DataFrame,
    benefits: pd.DataFrame,
    target: Path,
    *,
    lang: str,
    context: ExtractContext,
) -> None:
    """The Tiers, Requirements and Read me sheets of one published version, in `lang`."""
    lang = labels.language(lang)
    title = text("Technology partner tiers · {date} · version {version}", lang).format(
        date=labels.long_date(context.evaluation_date, lang), version=context.version
    )
    wb = Workbook(write_only=True)

    tiers = tiers_frame(extract, gaps, benefits, lang)
    ws = wb.create_sheet(text(SHEET_TIERS, lang))
    _prepare(ws, TIERS_COLUMNS, len(tiers), lang, title)
    ws.append(_header(ws, TIERS_COLUMNS, lang))
    rows = {1: _write_rows(ws, TIERS_COLUMNS, tiers, _tiers_styles(lang))}

    names = extract.set_index("partner_id")["partner_name"]
    reqs = requirements_frame(requirements, names, lang)
    ws = wb.create_sheet(text(SHEET_REQUIREMENTS, lang))
    _prepare(ws, REQUIREMENTS_COLUMNS, len(reqs), lang, title)
    ws.append(_header(ws, REQUIREMENTS_COLUMNS, lang))
    statuses = {"status": lambda f: [STATUS_STYLE.get(s) for s in f["status_code"]]}
    rows[2] = _write_rows(ws, REQUIREMENTS_COLUMNS, reqs, statuses, units=reqs["unit"])

    _readme(wb, context, lang, title)
    wb.save(target)
    splice_rows(target, rows)


def workbook_row_counts(lang: str, tiers: int, requirements: int) -> dict[str, int]:
    """The data rows write_workbook writes per sheet, by the sheet's name in `lang` (the audit of
    write-audit-publish re-reads them)."""
    lang = labels.language(lang)
    return {text(SHEET_TIERS, lang): tiers, text(SHEET_REQUIREMENTS, lang): requirements}


def write_tables(sheets: dict[str, pd.DataFrame], target: Path) -> None:
    """A plain formatted workbook, one sheet per frame (the solutions statements): typed cells,
    frozen header, filters, readable widths. openpyxl writes each sheet's settings and header row;
    the data rows are built column-wise (sheet_rows.py: 0.74 CPU s for 2000 partners x 29 columns
    through openpyxl cells before, issue 18)."""
    wb = Workbook(write_only=True)
    rows = {i: _write_table(wb, frame, sheet) for i, (sheet, frame) in enumerate(sheets.items(), start=1)}
    wb.save(target)
    splice_rows(target, rows)


def _write_table(wb: Any, frame: pd.DataFrame, sheet: str) -> bytes | pa.Buffer:
    ws = wb.create_sheet(sheet)
    ref = f"A1:{get_column_letter(max(1, len(frame.columns)))}{len(frame) + 1}"
    # A write-only sheet does not know its size, and openpyxl leaves out the <dimension> element
    # then; read-only readers (openpyxl's read_only=True, the row-count audit below) take the
    # sheet's size from it. Its writer asks the sheet for `calculate_dimension()`: answer that.
    ws.calculate_dimension = lambda: ref
    money = {c for c in frame.columns if c.endswith("_mrr") or c.endswith("_usd")}
    columns = []
    for idx, col in enumerate(frame.columns, start=1):
        sample = [len(str(col))] + [len(str(v)) for v in frame[col].head(200) if not pd.isna(v)]
        ws.column_dimensions[get_column_letter(idx)].width = min(60, max(10, max(sample) + 2))
        fmt = "#,##0.00" if col in money else "0.00" if col == "avg_rating" else None
        is_date = str(frame[col].dtype).startswith(("date", "datetime"))
        fmt = fmt or ("yyyy-mm-dd" if is_date else None)
        columns.append(SheetColumn(get_column_letter(idx), frame[col], _plain_style(ws, fmt) if fmt else 0))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ref

    font, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="33475B")
    header = []
    for col in frame.columns:
        cell = WriteOnlyCell(ws, value=col)
        cell.font, cell.fill = font, fill
        header.append(cell)
    ws.append(header)
    return rows_buffer(columns, first_row=2)


def _plain_style(ws: Any, number_format: str) -> int:
    """The style id of a cell with only a number format (the statements' money, ratings and dates)."""
    template = WriteOnlyCell(ws)
    template.number_format = number_format
    return template.style_id
