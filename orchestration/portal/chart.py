"""Server-rendered SVG line charts (no JavaScript, no charting library, nothing from a CDN).

Every text that goes into the SVG is escaped with markupsafe; numbers are formatted here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from orchestration.portal import labels

WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, float | None]]
    css: str  # class name: the colour comes from the stylesheet


def money_short(v: float, lang: str = labels.DEFAULT_LANGUAGE) -> str:
    """$1.2M, $350k, $900 — axis labels (French: 1,2 M$, 350 k$, 900 $)."""
    a = abs(v)
    if a >= 1_000_000:
        number, unit = f"{v / 1_000_000:.1f}".rstrip("0").rstrip("."), "M"
    elif a >= 1_000:
        number, unit = f"{v / 1_000:.1f}".rstrip("0").rstrip("."), "k"
    else:
        number, unit = f"{v:.0f}", ""
    if labels.language(lang) == "fr":
        return f"{number.replace('.', ',')}\u00a0{unit}$"
    return f"${number}{unit}"


def month_short(d: date, lang: str = labels.DEFAULT_LANGUAGE) -> str:
    """Jan 27 / janv. 27 — the x axis."""
    if labels.language(lang) == "fr":
        return f"{labels.MONTHS_FR_SHORT[d.month - 1]} {d:%y}"
    return d.strftime("%b %y")


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """0 and `count` round steps covering `top` (1, 2, 2.5, 5 x 10^n)."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def threshold_in_range(values: Sequence[float | None], threshold: float | None) -> bool:
    """Draw a threshold only within 4x the data; beyond that the caption states it instead (a line far
    above would flatten the series into the axis)."""
    data = [v for v in values if v is not None]
    if threshold is None or threshold <= 0 or not data:
        return False
    top = max(max(data), 0.0)
    return top == 0 or threshold <= 4 * top


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    highlight: date | None = None,
    threshold: float | None = None,
    lang: str = labels.DEFAULT_LANGUAGE,
) -> Markup:
    """One panel: x = evaluation dates, y = USD from 0; an optional dashed threshold line, drawn only
    when it is within 4x the data (otherwise it is stated in the caption instead of flattening the data).
    The threshold carries no text inside the plot: a label there was drawn over the series' lines
    (issue 15 item 4); the figure's caption names it beside its dashed legend mark."""
    dates = sorted({d for s in series for d, _ in s.points})
    values = [v for s in series for _, v in s.points if v is not None]
    if not dates or not values:
        return Markup(f'<p class="muted">{escape(labels.text("No metric values for this partner.", lang))}</p>')
    data_max = max(max(values), 0.0)
    draw_threshold = threshold_in_range(values, threshold)
    top = max(data_max, threshold if draw_threshold and threshold else 0.0) or 1.0
    ticks = nice_ticks(top * 1.05)
    y_max = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(d: date) -> float:
        if len(dates) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * dates.index(d) / (len(dates) - 1)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / y_max)

    parts: list[str] = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for t in ticks:
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}"/>')
        parts.append(
            f'<text class="axis" x="{LEFT - 8}" y="{y(t) + 4:.1f}" text-anchor="end">{money_short(t, lang)}</text>'
        )
    step = max(1, math.ceil(len(dates) / 9))
    for i, d in enumerate(dates):
        if i % step == 0 or i == len(dates) - 1:
            parts.append(
                f'<text class="axis" x="{x(d):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                f"{escape(month_short(d, lang))}</text>"
            )
    if highlight in dates:
        hx = x(highlight)
        parts.append(f'<line class="highlight" x1="{hx:.1f}" x2="{hx:.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>')
    if draw_threshold and threshold is not None:
        ty = y(threshold)
        parts.append(f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
    on = labels.text("{label} on {date}: {amount}", lang)
    for s in series:
        pts = [(d, v) for d, v in sorted(s.points) if v is not None]
        if not pts:
            continue
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(d):.1f},{y(v):.1f}" for i, (d, v) in enumerate(pts))
        parts.append(f'<path class="line {escape(s.css)}" d="{path}"/>')
        for d, v in pts:
            parts.append(
                f'<circle class="dot {escape(s.css)}" cx="{x(d):.1f}" cy="{y(v):.1f}" r="3.5">'
                f"<title>{escape(on.format(label=s.label, date=d.isoformat(), amount=labels.money(v, lang)))}"
                "</title></circle>"
            )
    parts.append(f'<line class="axis-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
