"""Small charts drawn on the server as SVG markup (pure).

The pages send a Content-Security-Policy without inline script or inline
style, so charts are plain SVG with presentation attributes and CSS classes
(styled by the plugin's stylesheet). Every chart carries a ``<title>`` and a
``<desc>`` referenced by ``aria-labelledby``; pages add a data table beside it.

Text passed in is escaped here; callers format numbers and dates.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 600
HEIGHT = 240
PAD_START, PAD_END, PAD_TOP, PAD_BOTTOM = 44, 12, 14, 34


def _open(chart_id: str, title: str, desc: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    cid = escape(chart_id)
    return (
        f'<svg class="chart" id="{cid}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet" font-size="12" direction="ltr">'
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}</desc>'
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _axes(width: int, height: int) -> str:
    x0, y0 = PAD_START, height - PAD_BOTTOM
    return (f'<line class="chart-axis" x1="{x0}" y1="{PAD_TOP}" x2="{x0}" y2="{y0}" stroke="#5a6275"/>'
            f'<line class="chart-axis" x1="{x0}" y1="{y0}" x2="{width - PAD_END}" y2="{y0}" stroke="#5a6275"/>')


def line_chart(chart_id: str, values: Sequence[tuple[float, float]], *, title: str, desc: str,
               x_labels: tuple[str, str] = ("", ""), y_max_label: str | None = None) -> str:
    """A rising line through ``(x, y)`` points (x ascending), as a step line from 0.

    ``x_labels`` are written under the first and the last point; the y axis
    starts at 0 and ends at the largest y (``y_max_label`` names it).
    """
    width, height = WIDTH, HEIGHT
    parts = [_open(chart_id, title, desc), _axes(width, height)]
    if values:
        xs = [x for x, _ in values]
        top = max(y for _, y in values) or 1
        span = (xs[-1] - xs[0]) or 1
        plot_w = width - PAD_START - PAD_END
        plot_h = height - PAD_TOP - PAD_BOTTOM

        def px(x: float) -> float:
            return PAD_START + (plot_w * (x - xs[0]) / span if len(values) > 1 else plot_w / 2)

        def py(y: float) -> float:
            return height - PAD_BOTTOM - plot_h * y / top

        points = [(px(values[0][0]), py(0))]
        previous = 0.0
        for x, y in values:
            points.append((px(x), py(previous)))
            points.append((px(x), py(y)))
            previous = y
        path = " ".join(f"{_num(a)},{_num(b)}" for a, b in points)
        parts.append(f'<polyline class="chart-line" points="{path}" fill="none" stroke="#1f5fbf" stroke-width="2"/>')
        for x, y in values:
            parts.append(f'<circle class="chart-dot" cx="{_num(px(x))}" cy="{_num(py(y))}" r="3" fill="#1f5fbf"/>')
        label = y_max_label if y_max_label is not None else _num(top)
        parts.append(f'<text class="chart-label" x="{PAD_START - 6}" y="{_num(py(top) + 4)}" text-anchor="end">'
                     f'{escape(label)}</text>')
        parts.append(f'<text class="chart-label" x="{PAD_START - 6}" y="{height - PAD_BOTTOM + 4}" '
                     f'text-anchor="end">0</text>')
        parts.append(f'<text class="chart-label" x="{PAD_START}" y="{height - 10}" text-anchor="start">'
                     f'{escape(x_labels[0])}</text>')
        if len(values) > 1:
            parts.append(f'<text class="chart-label" x="{width - PAD_END}" y="{height - 10}" text-anchor="end">'
                         f'{escape(x_labels[1])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(chart_id: str, counts: Sequence[int], labels: Sequence[str], *, title: str, desc: str) -> str:
    """Vertical bars, one per count, each with its label below and its count above."""
    width, height = WIDTH, HEIGHT
    parts = [_open(chart_id, title, desc), _axes(width, height)]
    if counts:
        top = max(counts) or 1
        plot_w = width - PAD_START - PAD_END
        plot_h = height - PAD_TOP - PAD_BOTTOM - 14
        slot = plot_w / len(counts)
        bar_w = slot * 0.8
        for index, count in enumerate(counts):
            h = plot_h * count / top
            x = PAD_START + slot * index + (slot - bar_w) / 2
            y = height - PAD_BOTTOM - h
            label = labels[index] if index < len(labels) else ""
            parts.append(f'<rect class="chart-bar" x="{_num(x)}" y="{_num(y)}" width="{_num(bar_w)}" '
                         f'height="{_num(h)}" fill="#1f5fbf"><title>{escape(label)}: {count}</title></rect>')
            middle = _num(x + bar_w / 2)
            parts.append(f'<text class="chart-value" x="{middle}" y="{_num(y - 4)}" text-anchor="middle">{count}</text>')
            parts.append(f'<text class="chart-label" x="{middle}" y="{height - 14}" text-anchor="middle" '
                         f'font-size="10">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def progress_bars(chart_id: str, rows: Sequence[tuple[str, float, float | None, str]], *, title: str,
                  desc: str) -> str:
    """Horizontal bars: for each ``(label, value, best, value_text)`` the value drawn
    over an outline as long as ``best``. Bars share one scale (the largest best or value)."""
    row_h = 34
    height = PAD_TOP + row_h * max(1, len(rows)) + 8
    width = WIDTH
    label_w = 200
    parts = [_open(chart_id, title, desc, width, height)]
    scale = max([max(value, best or 0) for _, value, best, _ in rows] or [1]) or 1
    plot_w = width - label_w - PAD_END - 70
    for index, (label, value, best, value_text) in enumerate(rows):
        y = PAD_TOP + row_h * index
        parts.append(f'<text class="chart-label" x="0" y="{y + 16}">{escape(label[:32])}</text>')
        if best:
            parts.append(f'<rect class="chart-best" x="{label_w}" y="{y + 4}" width="{_num(plot_w * best / scale)}" '
                         f'height="18" fill="none" stroke="#5a6275" stroke-dasharray="4 2"/>')
        shown = max(0.0, value)
        parts.append(f'<rect class="chart-bar" x="{label_w}" y="{y + 6}" width="{_num(plot_w * shown / scale)}" '
                     f'height="14" fill="#1f5fbf"/>')
        end = label_w + plot_w * max(shown, best or 0) / scale + 6
        parts.append(f'<text class="chart-value" x="{_num(end)}" y="{y + 17}">{escape(value_text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
