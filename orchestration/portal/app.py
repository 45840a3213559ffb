"""The partner-manager portal: a small read-only Starlette app with server-rendered Jinja2 pages.

Pages: the list of evaluation dates (/), a quarter's partners (/quarters/<E>), a partner
(/quarters/<E>/partners/<id>), the last gate report (/gate) and the files of a published version
(/files/<E>/v<N>/<name>, only names listed in that version's manifest). No JavaScript, no CDN; a
Content-Security-Policy forbids scripts altogether, and Jinja2 autoescaping escapes every
partner-supplied string.

English or French (issue 15 item 2): `?lang=fr` on any page switches and is remembered in a cookie;
without either, the browser's Accept-Language decides. Every word comes from labels.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orchestration import forecast, whatif
from orchestration.defs.publication.notifications import LANGUAGES, NOTIFICATIONS
from orchestration.defs.publication.store import MANIFEST
from orchestration.portal import labels, statements
from orchestration.portal.chart import Series, line_chart, threshold_in_range
from orchestration.portal.data import ACTIONS, TIER_RANK, TIERS, NotFound, PortalData, change_of, read_parquet
from orchestration.program import PROGRAM

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 100
LANG_COOKIE = "lang"
log = logging.getLogger("partner_warehouse.portal")

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The notification drafts page alone runs one script, the copy buttons' (/static/copy.js).
DRAFTS_CSP = PAGE_CSP.replace("default-src 'none';", "default-src 'none'; script-src 'self';")
# A published gate report (HTML) is shown as a sandboxed document: no script, no form, no fetch.
FILE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"

MEDIA_TYPES = {
    ".csv": ("text/csv; charset=utf-8", "attachment"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
    ".parquet": ("application/vnd.apache.parquet", "attachment"),
    ".html": ("text/html; charset=utf-8", "inline"),
    ".md": ("text/plain; charset=utf-8", "inline"),
    ".json": ("application/json", "inline"),
}


class SecurityHeaders:
    """Headers on every response: no scripts, no framing, no sniffing, no referrer."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": PAGE_CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"no-referrer",
                    b"cache-control": b"no-store",
                }
                headers += [(k, v) for k, v in extra.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---------------------------------------------------------------------------------------------
# Template helpers


def _in_page_language(fn: Callable[..., str]) -> Callable[..., str]:
    """A labels.py formatter as a Jinja filter or global that speaks the page's language (`lang`)."""

    @pass_context
    def localized(context: Any, *args: Any) -> str:
        return fn(*args, lang=context.get("lang", labels.DEFAULT_LANGUAGE))

    return localized


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    localized = {
        name: _in_page_language(getattr(labels, fn))
        for name, fn in {
            "money": "money",
            "number": "number",
            "rating": "rating",
            "long_date": "long_date",
            "tier_label": "tier_label",
            "action_label": "action_label",
            "requirement_label": "requirement_label",
            "requirement_short": "requirement_short",
            "status_label": "status_label",
            "requirement_value": "requirement_value",
            "level_label": "level_label",
            "shortfall_value": "shortfall_value",
            "yes_no": "yes_no",
        }.items()
    }
    env.filters.update(localized, short_date=labels.short_date, timestamp=labels.timestamp, bytes=labels.byte_size)
    # The statement pages' words (issue 15 item 3) are English only for now.
    env.filters.update(
        commission_program_label=labels.commission_program_label,
        partner_role_label=labels.partner_role_label,
        product_line_label=labels.product_line_label,
        percent=labels.percent,
        month_label=labels.month_label,
        what_if_value=what_if_value,
    )
    env.globals.update(statements.env_globals())  # issue 15 item 3
    env.globals.update(
        _=_in_page_language(labels.text),
        action_explanation=_in_page_language(labels.action_explanation),
        quarter_url=quarter_url,
        partner_url=partner_url,
        file_url=file_url,
        arrow=arrow,
        what_if_url=what_if_url,
        what_if_change=change_of,
        what_if_inputs=list(whatif.INPUTS.values()),
        TIERS=TIERS,
        ACTIONS=ACTIONS,
        LANGUAGES=labels.LANGUAGES,
        LANGUAGE_NAMES=labels.LANGUAGE_NAMES,
        POC_FORM_WINDOW_DAYS=PROGRAM.poc_form_window_days,  # rules.md A7/D10
        GOOD_STANDING_LOOKBACK_DAYS=PROGRAM.good_standing_lookback_days,  # rules.md A8/D12
    )
    return env


def request_language(request: Request) -> str:
    """`?lang=` first, then the cookie it set, then the best of Accept-Language (q-values honoured)."""
    for chosen in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen in labels.LANGUAGES:
            return chosen
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in labels.LANGUAGES and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else labels.DEFAULT_LANGUAGE


def language_url(request: Request, lang: str) -> str:
    """This page in `lang`: the same path and query, `lang` replaced."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(query)}"


def poc_window(evaluation_date: date, today: date) -> dict[str, Any]:
    """rules.md A7/D10: the POC form may arrive until E + poc_form_window_days (inclusive)."""
    closes = evaluation_date + timedelta(days=PROGRAM.poc_form_window_days)
    return {"closes_on": closes, "days_left": (closes - today).days}


def quarter_url(e: date) -> str:
    return f"/quarters/{e.isoformat()}"


def partner_url(e: date, partner_id: str) -> str:
    return f"/quarters/{e.isoformat()}/partners/{quote(str(partner_id), safe='')}"


def what_if_url(
    e: date, partner_id: str, form: dict[str, str] | None = None, change: whatif.Change | None = None
) -> str:
    """The what-if page; with `form` and `change`, the link that adds `change` to the submitted form."""
    url = f"{partner_url(e, partner_id)}/what-if"
    fields = {k: v for k, v in (form or {}).items() if v}
    if change is not None:
        fields[change.name] = str(change).partition("=")[2]
    return f"{url}?{urlencode(fields)}" if fields else url


def what_if_value(value: Any) -> str:
    """An input's value on the what-if form: yes/no, a whole number or two decimals."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = float(value)
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"


def file_url(e: date, version: int, name: str) -> str:
    return f"/files/{e.isoformat()}/v{version}/{quote(name, safe='')}"


def arrow(change: str) -> Markup:
    symbol, word = {"up": ("↑", "up"), "down": ("↓", "down")}.get(change, ("→", "unchanged"))
    return Markup(f'<span class="arrow arrow-{word}" title="tier {word}" aria-label="tier {word}">{symbol}</span>')


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(404, f"{text!r} is not an evaluation date") from None


# ---------------------------------------------------------------------------------------------
# The quarter table: search, filters, sorting, paging — all server-side


def _blocking(row: dict[str, Any]) -> list[str]:
    text = row.get("next_tier_blocking_requirements") or ""
    return [p.strip() for p in str(text).split(",") if p.strip()]


SORT_KEYS = {
    "partner": lambda r: ((r.get("partner_name") or "").casefold(), r["partner_id"]),
    "id": lambda r: r["partner_id"],
    "tier_before": lambda r: TIER_RANK.get(r.get("tier_before") or "not_in_program", 0),
    "tier_after": lambda r: TIER_RANK.get(r.get("tier_after") or "not_in_program", 0),
    "change": lambda r: {"down": 0, "same": 1, "up": 2}[r["change"]],
    "action": lambda r: labels.action_label(r.get("action")),
    "attached_mrr": lambda r: r.get("attached_mrr") or Decimal(0),
    "influenced_deals_mrr": lambda r: r.get("influenced_deals_mrr") or Decimal(0),
    "review_count": lambda r: r.get("review_count") or 0,
    "avg_rating": lambda r: r.get("avg_rating") if r.get("avg_rating") is not None else -1.0,
    "gap": lambda r: len(_blocking(r)),
}


DESC_FIRST = {"tier_before", "tier_after", "attached_mrr", "influenced_deals_mrr", "review_count", "avg_rating", "gap"}


def _filter_and_sort(rows: list[dict[str, Any]], params: dict[str, str]) -> list[dict[str, Any]]:
    q = params["q"].strip().casefold()
    out = [
        r
        for r in rows
        if (not q or q in str(r["partner_id"]).casefold() or q in str(r.get("partner_name") or "").casefold())
        and (not params["tier"] or r.get("tier_after") == params["tier"])
        and (not params["action"] or r.get("action") == params["action"])
    ]
    key = SORT_KEYS[params["sort"]]
    out.sort(key=lambda r: (key(r), r["partner_id"]), reverse=params["order"] == "desc")
    return out


def _quarter_params(request: Request) -> dict[str, str]:
    qp = request.query_params
    sort = qp.get("sort", "partner")
    tier = qp.get("tier", "")
    action = qp.get("action", "")
    return {
        "q": qp.get("q", "")[:200],
        "tier": tier if tier in TIERS else "",
        "action": action if action in ACTIONS else "",
        "sort": sort if sort in SORT_KEYS else "partner",
        "order": "desc" if qp.get("order") == "desc" else "asc",
    }


# ---------------------------------------------------------------------------------------------


def create_app(publish_dir: Path, today: Callable[[], date] | None = None) -> Starlette:
    """`today` is the portal's clock (UTC date) for the days left in a POC window; tests pass their own."""
    data = PortalData(Path(publish_dir))
    templates = Jinja2Templates(env=_env())
    clock = today or (lambda: datetime.now(UTC).date())

    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        lang = request_language(request)
        context |= {
            "lang": lang,
            "language_url": lambda code: language_url(request, code),
            "poc_window": lambda e: poc_window(e, clock()),
        }
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
        response.headers["content-language"] = lang
        response.headers["vary"] = "Accept-Language, Cookie"
        if request.query_params.get("lang") in labels.LANGUAGES:  # remember the switch
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
        return response

    def index(request: Request) -> Response:
        return render(request, "index.html", dates=data.overview(), latest_gate=data.latest_gate())

    def quarter(request: Request) -> Response:
        e = _parse_date(request.path_params["evaluation_date"])
        try:
            q = data.quarter(e)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        params = _quarter_params(request)
        rows = _filter_and_sort(q.rows, params)
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page = 1
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        page = min(page, pages)

        def link(**changes: Any) -> str:
            merged = {**params, "page": str(page), **{k: str(v) for k, v in changes.items()}}
            kept = {k: v for k, v in merged.items() if v and not (k == "page" and v == "1")}
            return "?" + urlencode(kept) if kept else "?"

        def sort_link(column: str) -> str:
            if params["sort"] == column:
                order = "desc" if params["order"] == "asc" else "asc"
            else:  # amounts and tiers: the biggest first
                order = "desc" if column in DESC_FIRST else "asc"
            return link(sort=column, order=order, page=1)

        counts = {t: sum(1 for r in q.rows if r.get("tier_after") == t) for t in TIERS}
        changes = {c: sum(1 for r in q.rows if r["change"] == c) for c in ("up", "down", "same")}
        return render(
            request,
            "quarter.html",
            q=q,
            rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            matched=len(rows),
            first=(page - 1) * PAGE_SIZE + 1 if rows else 0,
            page=page,
            pages=pages,
            params=params,
            link=link,
            sort_link=sort_link,
            tier_counts=counts,
            changes=changes,
            actions_present=[a for a in ACTIONS if any(r.get("action") == a for r in q.rows)],
            blocking=_blocking,
        )

    def partner(request: Request) -> Response:
        e = _parse_date(request.path_params["evaluation_date"])
        partner_id = request.path_params["partner_id"]
        try:
            p = data.partner(e, partner_id)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        row = p.row
        lang = request_language(request)

        def _(english: str) -> str:
            return labels.text(english, lang)

        name = row.get("partner_name") or partner_id
        next_thresholds = {r.requirement: r.threshold for r in p.next_requirements}
        next_tier = row.get("next_tier")
        dates = [s["evaluation_date"] for s in p.series]

        def values(key: str) -> list[tuple[date, float | None]]:
            return [(s["evaluation_date"], None if s[key] is None else float(s[key])) for s in p.series]

        charts = []
        if dates:
            for title, requirement, series in (
                ("Attached MRR (12-month mean)", "attached_mrr", [("attached_mrr", "attached", "Attached MRR")]),
                (
                    "Influenced revenue",
                    "influenced_mrr",
                    [
                        ("influenced_deals_mrr", "influenced", "Influenced-deals MRR"),
                        ("install_90d_mrr", "install", "90-day install MRR"),
                    ],
                ),
            ):
                threshold = next_thresholds.get(requirement)
                plotted = [Series(_(label), values(key), css) for key, css, label in series]
                charts.append(
                    {
                        "title": _(title),
                        "legend": [(css, _(label)) for _key, css, label in series],
                        # the threshold is named in the caption's legend, never drawn over a line (issue 15 item 4)
                        "svg": line_chart(
                            plotted,
                            title=_("{title} of {name} by evaluation date").format(title=_(title), name=name),
                            highlight=e,
                            threshold=threshold,
                            lang=lang,
                        ),
                        "threshold": threshold,
                        "threshold_drawn": threshold_in_range([v for s in plotted for _d, v in s.points], threshold),
                    }
                )
        # the guide's French wording, or the seed's English translation (issue 15 item 2)
        suffix = "" if lang == "fr" else "_en"
        with data.analytics() as con:  # issue 17 item 2: the forecast made on this date, if any
            outlook = forecast.forecast_of(con, partner_id, e) if con is not None else None
        benefit_groups: dict[str, list[dict[str, Any]]] = {}
        for b in p.benefits:
            b = {**b, "name": b.get(f"benefit{suffix}") or b.get("benefit"), "note": b.get(f"qualifier{suffix}")}
            group = b.get(f"category_label{suffix}") or b.get("category_label") or b.get("category") or ""
            benefit_groups.setdefault(group, []).append(b)
        return render(
            request,
            "partner.html",
            p=p,
            row=row,
            charts=charts,
            benefit_groups=benefit_groups,
            next_tier=next_tier,
            outlook=outlook,
            files=sorted((p.current.manifest.get("files") or {}).items()),
        )

    def what_if(request: Request) -> Response:
        """issue 17: the partner's decision with changed inputs, from the analytics snapshot (read-only)."""
        started = time.perf_counter()
        e = _parse_date(request.path_params["evaluation_date"])
        partner_id = request.path_params["partner_id"]
        form = {name: request.query_params.get(name, "")[:40] for name in whatif.INPUTS}
        changes, errors = whatif.parse_form(form)
        with data.analytics() as con:
            if con is None:
                raise HTTPException(404, "The analytics snapshot is not available yet: run the pipeline first.")
            try:
                answer = whatif.answer(con, partner_id, e, [] if errors else changes)
            except whatif.WhatIfError as exc:
                raise HTTPException(404, str(exc)) from None
        return render(
            request,
            "what_if.html",
            e=e,
            partner_id=partner_id,
            a=answer,
            form=form,
            current=answer.before.inputs,
            errors=errors,
            elapsed_ms=round((time.perf_counter() - started) * 1000),
        )

    def notifications(request: Request) -> Response:
        """issue 17 item 3: the current version's notification drafts of one language, with copy buttons."""
        e = _parse_date(request.path_params["evaluation_date"])
        lang = request.query_params.get("lang", LANGUAGES[0])
        lang = lang if lang in LANGUAGES else LANGUAGES[0]
        try:
            current = data.version(e)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        name = f"{NOTIFICATIONS}.parquet"
        listed = name in (current.manifest.get("files") or {})  # only files a manifest lists are read
        drafts = [d for d in read_parquet(current.path / name) if d["language"] == lang] if listed else []
        response = render(
            request,
            "notifications.html",
            e=e,
            v=current,
            lang=lang,
            languages=LANGUAGES,
            listed=listed,
            drafts=drafts,
            language_names={"en": "English", "fr": "Français"},
            subject_label={"en": "Subject", "fr": "Objet"},
            copy_label={"en": "Copy", "fr": "Copier"},
            copied_label={"en": "Copied", "fr": "Copié"},
        )
        response.headers["content-security-policy"] = DRAFTS_CSP
        return response

    def partner_latest(request: Request) -> Response:
        partner_id = request.path_params["partner_id"]
        e = data.latest_date_of(partner_id)
        if e is None:
            raise HTTPException(404, f"partner {partner_id!r} is in no publication")
        return RedirectResponse(partner_url(e, partner_id), status_code=302)

    def download(request: Request, source: PortalData = data) -> Response:
        e = _parse_date(request.path_params["evaluation_date"])
        name = request.path_params["name"]
        number = request.path_params["version"]
        try:
            path = source.download(e, number, name)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        media_type, disposition = MEDIA_TYPES.get(path.suffix, ("application/octet-stream", "attachment"))
        stem, _, suffix = name.partition(".")
        filename = name if name == MANIFEST else f"{stem}_{e.isoformat()}_v{number}.{suffix}"
        response = FileResponse(path, media_type=media_type, filename=filename, content_disposition_type=disposition)
        response.headers["content-security-policy"] = FILE_CSP
        return response

    # -- solutions commission statements (issue 15 item 3) ------------------------------------
    statement_data = statements.StatementData(Path(publish_dir))

    def statement_list(request: Request) -> Response:
        return render(request, "statements.html", quarters=statement_data.quarters())

    def statement_quarter(request: Request) -> Response:
        q = _parse_date(request.path_params["evaluation_date"])
        try:
            sq = statement_data.quarter(q)
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return render(request, "statement_quarter.html", sq=sq)

    def statement_partner(request: Request) -> Response:
        q = _parse_date(request.path_params["evaluation_date"])
        try:
            page = statement_data.statement(q, request.path_params["partner_id"])
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return render(request, "statement_partner.html", s=page)

    def statement_download(request: Request) -> Response:
        return download(request, statement_data)

    def gate(request: Request) -> Response:
        latest = data.latest_gate()
        if latest is None:
            raise HTTPException(404, "no gate report has been written yet")
        return render(request, "gate.html", gate=latest)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else None
        lang = request_language(request)
        title = labels.text({404: "Page not found", 405: "Method not allowed"}.get(status, "Request failed"), lang)
        if status == 404 and detail in (None, "Not Found"):
            detail = labels.text("There is no page or published file at this address.", lang)
        return render(request, "error.html", status_code=status, status=status, title=title, detail=detail)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("portal: %s %s failed", request.method, request.url.path, exc_info=exc)
        response = render(
            request,
            "error.html",
            status_code=500,
            status=500,
            title=labels.text("Something went wrong", request_language(request)),
            detail=labels.text(
                "The page could not be built from the published files. The error has been logged.",
                request_language(request),
            ),
        )
        # This response leaves through ServerErrorMiddleware, outside SecurityHeaders.
        response.headers["content-security-policy"] = PAGE_CSP
        response.headers["x-content-type-options"] = "nosniff"
        return response

    routes = [
        Route("/", index, name="index"),
        Route("/gate", gate, name="gate"),
        Route("/quarters/{evaluation_date}", quarter, name="quarter"),
        Route("/quarters/{evaluation_date}/partners/{partner_id}", partner, name="partner"),
        Route("/quarters/{evaluation_date}/partners/{partner_id}/what-if", what_if, name="what_if"),
        Route("/quarters/{evaluation_date}/notifications", notifications, name="notifications"),
        Route("/partners/{partner_id}", partner_latest, name="partner_latest"),
        Route("/files/{evaluation_date}/v{version:int}/{name}", download, name="download"),
        Route("/statements", statement_list, name="statements"),
        Route("/statements/{evaluation_date}", statement_quarter, name="statement_quarter"),
        Route("/statements/{evaluation_date}/partners/{partner_id}", statement_partner, name="statement_partner"),
        Route(
            "/statement-files/{evaluation_date}/v{version:int}/{name}", statement_download, name="statement_download"
        ),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
    app.state.data = data
    app.add_middleware(SecurityHeaders)
    return app


def serve(publish_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    uvicorn.run(create_app(publish_dir), host=host, port=port, log_level="info", server_header=False)
