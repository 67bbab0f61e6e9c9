"""Small server-side SVG charts for the console: no JavaScript, no inline styles.

The console's Content-Security-Policy forbids inline scripts and styles, so each
chart is plain ``<svg>`` markup with presentation attributes (``fill=``,
``font-size=``). Every chart is an image for assistive technology
(``role="img"`` with ``<title>`` and ``<desc>`` listing the data), prints its
values as text, gives each bar a tooltip, and escapes every label. Text colours
have at least 7:1 contrast on the chart's white background.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup, escape

__all__ = ["bar_chart", "histogram", "horizontal_bars", "line_chart"]

BACKGROUND = "#ffffff"
TEXT = "#1f2937"  # 14.7:1 on white
MUTED_TEXT = "#4b5563"  # 7.6:1 on white
BAR = "#1d4ed8"  # 6.7:1 on white
ACCENT_BAR = "#047857"  # 5.5:1 on white
GRID = "#e5e7eb"
AXIS = "#6b7280"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

Number = float | int
Formatter = Callable[[Number], str]


def _number(value: Number) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _coordinate(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _chart_id(title: str, chart_id: str | None) -> str:
    if chart_id:
        return re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:32] or "chart"
    return f"chart-{slug}-{hashlib.sha1(title.encode()).hexdigest()[:6]}"


def _nice_scale(maximum: float, ticks: int = 4) -> tuple[float, float]:
    """(top of the axis, step between grid lines): steps of 1, 2 or 5 × 10^k, at least 1."""
    if maximum <= 0:
        return 1.0, 1.0
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)
    return step * math.ceil(maximum / step), step


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = 11, fill: str = TEXT,
          weight: str | None = None, extra: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{_coordinate(x)}" y="{_coordinate(y)}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{bold}{extra}>{escape(content)}</text>')


def _open_svg(identifier: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{identifier}-title {identifier}-desc" font-family="{escape(FONT)}">',
        f'<title id="{identifier}-title">{escape(title)}</title>',
        f'<desc id="{identifier}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="{BACKGROUND}"/>',
    ]


def _describe(labels: Sequence[str], values: Sequence[Number], formatter: Formatter) -> str:
    if not labels:
        return "No data."
    return "; ".join(f"{label}: {formatter(value)}" for label, value in zip(labels, values)) + "."


def _check(labels: Sequence[object], values: Sequence[Number]) -> None:
    if len(labels) != len(values):
        raise ValueError(f"a chart needs one value per label, got {len(labels)} labels "
                         f"and {len(values)} values")
    if any(v < 0 for v in values):
        raise ValueError("chart values must not be negative")


def bar_chart(labels: Sequence[str], values: Sequence[Number], title: str, *, description: str | None = None,
              x_label: str = "", y_label: str = "", width: int = 720, height: int = 260,
              color: str = BAR, chart_id: str | None = None, max_labels: int = 15,
              value_format: Formatter = _number) -> Markup:
    """Vertical bars, one per label (e.g. tickets per day), with a y axis, grid lines and value labels.

    When there are more bars than ``max_labels``, every n-th x label is printed and
    values are printed only while bars are wide enough; each bar keeps its tooltip.
    """
    labels = [str(label) for label in labels]
    _check(labels, values)
    identifier = _chart_id(title, chart_id)
    left, right, top, bottom = 52, 16, 24, 46 if x_label else 30
    plot_width, plot_height = width - left - right, height - top - bottom
    parts = _open_svg(identifier, width, height, title,
                      description or _describe(labels, values, value_format))
    axis_top, step = _nice_scale(max(values, default=0))
    baseline = top + plot_height

    def y_of(value: float) -> float:
        return baseline - plot_height * (value / axis_top)

    tick = 0.0
    while tick <= axis_top + 1e-9:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{_coordinate(y)}" x2="{left + plot_width}" '
                     f'y2="{_coordinate(y)}" stroke="{GRID if tick else AXIS}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, value_format(tick), anchor="end", size=10, fill=MUTED_TEXT))
        tick += step
    if not labels:
        parts.append(_text(left + plot_width / 2, top + plot_height / 2, "No data", size=13, fill=MUTED_TEXT))
    band = plot_width / max(len(labels), 1)
    bar_width = max(band * 0.7, 1.0)
    label_every = max(1, math.ceil(len(labels) / max(max_labels, 1)))
    show_values = band >= 18
    parts.append('<g class="bars">')
    for index, (label, value) in enumerate(zip(labels, values)):
        x = left + band * index + (band - bar_width) / 2
        y = y_of(value)
        shown = value_format(value)
        parts.append(f'<g><title>{escape(label)}: {escape(shown)}</title>'
                     f'<rect x="{_coordinate(x)}" y="{_coordinate(y)}" width="{_coordinate(bar_width)}" '
                     f'height="{_coordinate(baseline - y)}" fill="{escape(color)}" rx="2"/>')
        if show_values:
            parts.append(_text(x + bar_width / 2, y - 4, shown, size=10))
        parts.append("</g>")
        if index % label_every == 0:
            parts.append(_text(x + bar_width / 2, baseline + 14, label, size=10, fill=MUTED_TEXT))
    parts.append("</g>")
    if x_label:
        parts.append(_text(left + plot_width / 2, height - 8, x_label, size=11, fill=TEXT))
    if y_label:
        cx, cy = 13, top + plot_height / 2
        rotate = f' transform="rotate(-90 {cx} {_coordinate(cy)})"'
        parts.append(_text(cx, cy, y_label, size=11, extra=rotate))
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(counts: Mapping[int, int], title: str, *, description: str | None = None,
              x_label: str = "Rating (1 = very unhappy, 5 = very happy)", y_label: str = "Ratings",
              chart_id: str | None = None, width: int = 480, height: int = 240,
              scale: Sequence[int] = (1, 2, 3, 4, 5)) -> Markup:
    """Counts per rating of ``scale`` (1..5 unless given; missing ratings count zero), as a bar chart."""
    ratings = list(scale)
    return bar_chart([str(r) for r in ratings], [int(counts.get(r, 0)) for r in ratings], title,
                     description=description, x_label=x_label, y_label=y_label, width=width, height=height,
                     color=ACCENT_BAR, chart_id=chart_id)


def horizontal_bars(labels: Sequence[str], values: Sequence[Number], title: str, *,
                    description: str | None = None, x_label: str = "", width: int = 480,
                    label_width: int = 170, row_height: int = 26, color: str = BAR,
                    chart_id: str | None = None, value_format: Formatter = _number) -> Markup:
    """One labelled row per item (e.g. top handoff reasons), the value printed after each bar."""
    labels = [str(label) for label in labels]
    _check(labels, values)
    identifier = _chart_id(title, chart_id)
    top, bottom, right = 8, 26 if x_label else 8, 48
    rows = max(len(labels), 1)
    height = top + rows * row_height + bottom
    parts = _open_svg(identifier, width, height, title,
                      description or _describe(labels, values, value_format))
    plot_width = width - label_width - right
    maximum = max(values, default=0) or 1
    if not labels:
        parts.append(_text(width / 2, top + row_height / 2 + 4, "No data", size=13, fill=MUTED_TEXT))
    max_chars = max(4, label_width // 7)
    for index, (label, value) in enumerate(zip(labels, values)):
        y = top + index * row_height
        bar = plot_width * (value / maximum)
        shown = value_format(value)
        short = label if len(label) <= max_chars else label[: max_chars - 1] + "…"
        parts.append(f"<g><title>{escape(label)}: {escape(shown)}</title>")
        parts.append(_text(label_width - 8, y + row_height / 2 + 4, short, anchor="end", size=12))
        parts.append(f'<rect x="{label_width}" y="{_coordinate(y + 4)}" width="{_coordinate(max(bar, 1.0))}" '
                     f'height="{row_height - 8}" fill="{escape(color)}" rx="2"/>')
        parts.append(_text(label_width + bar + 6, y + row_height / 2 + 4, shown, anchor="start", size=12,
                           weight="600"))
        parts.append("</g>")
    parts.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{top + rows * row_height}" '
                 f'stroke="{AXIS}" stroke-width="1"/>')
    if x_label:
        parts.append(_text(label_width + plot_width / 2, height - 8, x_label, size=11))
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(labels: Sequence[str], values: Sequence[Number | None], title: str, *, low: float, high: float,
               description: str | None = None, y_label: str = "", width: int = 480, height: int = 200,
               color: str = BAR, chart_id: str | None = None, value_format: Formatter = _number) -> Markup:
    """One value per label (e.g. per week) on a fixed axis from ``low`` to ``high``, joined by a line.

    ``None`` is a gap (no data that week): the line breaks there and no point is drawn. Each point has
    a tooltip and prints its value; values outside the axis are refused.
    """
    labels = [str(label) for label in labels]
    if len(labels) != len(values):
        raise ValueError(f"a chart needs one value per label, got {len(labels)} labels and {len(values)} values")
    if not high > low:
        raise ValueError(f"the axis must rise: low {low}, high {high}")
    if any(v is not None and not low <= v <= high for v in values):
        raise ValueError(f"line chart values must lie from {low} to {high}")
    identifier = _chart_id(title, chart_id)
    left, right, top, bottom = 48, 16, 18, 28
    plot_width, plot_height = width - left - right, height - top - bottom
    shown = [(label, value) for label, value in zip(labels, values) if value is not None]
    parts = _open_svg(identifier, width, height, title, description or (
        _describe([label for label, _ in shown], [v for _, v in shown], value_format) if shown else "No data."))
    baseline = top + plot_height

    def y_of(value: float) -> float:
        return baseline - plot_height * ((value - low) / (high - low))

    for tick in (low, (low + high) / 2, high):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{_coordinate(y)}" x2="{left + plot_width}" y2="{_coordinate(y)}" '
                     f'stroke="{AXIS if tick == low else GRID}" stroke-width="1"/>')
        parts.append(_text(left - 6, y + 4, value_format(tick), anchor="end", size=10, fill=MUTED_TEXT))
    band = plot_width / max(len(labels), 1)
    label_every = max(1, math.ceil(len(labels) / 6))
    segments: list[list[tuple[float, float]]] = [[]]
    points: list[str] = []
    for index, (label, value) in enumerate(zip(labels, values)):
        x = left + band * index + band / 2
        if index % label_every == 0:
            parts.append(_text(x, baseline + 16, label, size=10, fill=MUTED_TEXT))
        if value is None:
            segments.append([])
            continue
        y = y_of(value)
        segments[-1].append((x, y))
        points.append(f'<g><title>{escape(label)}: {escape(value_format(value))}</title>'
                      f'<circle cx="{_coordinate(x)}" cy="{_coordinate(y)}" r="3.5" fill="{escape(color)}"/>'
                      + _text(x, y - 7, value_format(value), size=10) + "</g>")
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(f"{_coordinate(x)},{_coordinate(y)}" for x, y in segment)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{escape(color)}" stroke-width="2"/>')
    if not shown:
        parts.append(_text(left + plot_width / 2, top + plot_height / 2, "No data", size=13, fill=MUTED_TEXT))
    parts.append('<g class="points">' + "".join(points) + "</g>")
    if y_label:
        cx, cy = 12, top + plot_height / 2
        parts.append(_text(cx, cy, y_label, size=11, extra=f' transform="rotate(-90 {cx} {_coordinate(cy)})"'))
    parts.append("</svg>")
    return Markup("".join(parts))
