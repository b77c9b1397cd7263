"""Server-rendered inline SVG line charts: one indicator over the years against the plan's targets.

Readable without JavaScript; each chart has a <title> and <desc> for assistive technology and the
page shows the same numbers in a table beside it. Values are Decimals; only the pixel positions are
computed as floats.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 420, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36
ACTUAL_COLOUR, TARGET_COLOUR = "#1f5fa8", "#b3261e"


def _points(years, values, low, high):
    span = (high - low) or Decimal(1)
    step = (WIDTH - LEFT - RIGHT) / max(len(years) - 1, 1)
    points = []
    for i, value in enumerate(values):
        if value is None:
            continue
        x = LEFT + i * step
        y = TOP + (HEIGHT - TOP - BOTTOM) * float((high - Decimal(value)) / span)
        points.append((round(x, 1), round(y, 1)))
    return points


def _tick(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value.quantize(Decimal("0.1")))


def line_chart(chart_id: str, title: str, description: str, years: list[int], actual: list, target: list,
               actual_label: str, target_label: str) -> str:
    """An SVG with the actual series (solid, dots) and the target series (dashed)."""
    numbers = [Decimal(v) for v in (*actual, *target) if v is not None]
    high = max(numbers) if numbers else Decimal(1)
    low = min([Decimal(0), *numbers])
    high = high if high > low else low + 1
    actual_points = _points(years, actual, low, high)
    target_points = _points(years, target, low, high)
    step = (WIDTH - LEFT - RIGHT) / max(len(years) - 1, 1)
    parts = [
        format_html('<svg class="zone-chart" viewBox="0 0 {} {}" width="100%" role="img" '
                    'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">', WIDTH, HEIGHT,
                    chart_id, chart_id),
        format_html('<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>', chart_id, title, chart_id,
                    description),
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#666"/>', LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT,
                    HEIGHT - BOTTOM),
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#666"/>', LEFT, TOP, LEFT, HEIGHT - BOTTOM),
        format_html('<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>', LEFT - 6, TOP + 4, _tick(high)),
        format_html('<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>', LEFT - 6, HEIGHT - BOTTOM,
                    _tick(low)),
        format_html_join("", '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                         ((round(LEFT + i * step, 1), HEIGHT - BOTTOM + 16, year) for i, year in enumerate(years))),
    ]
    if len(target_points) > 1:
        parts.append(format_html('<polyline fill="none" stroke="{}" stroke-width="2" stroke-dasharray="6 4" '
                                 'points="{}"/>', TARGET_COLOUR, " ".join(f"{x},{y}" for x, y in target_points)))
    parts.append(format_html_join("", '<rect x="{}" y="{}" width="6" height="6" fill="{}"/>',
                                  ((x - 3, y - 3, TARGET_COLOUR) for x, y in target_points)))
    if len(actual_points) > 1:
        parts.append(format_html('<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>', ACTUAL_COLOUR,
                                 " ".join(f"{x},{y}" for x, y in actual_points)))
    parts.append(format_html_join("", '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
                                  ((x, y, ACTUAL_COLOUR) for x, y in actual_points)))
    legend_y = HEIGHT - 6
    parts.append(format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"/><text x="{}" y="{}" font-size="11">{}</text>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="6 4"/>'
        '<text x="{}" y="{}" font-size="11">{}</text>',
        LEFT, legend_y - 4, LEFT + 20, legend_y - 4, ACTUAL_COLOUR, LEFT + 24, legend_y, actual_label,
        LEFT + 140, legend_y - 4, LEFT + 160, legend_y - 4, TARGET_COLOUR, LEFT + 164, legend_y, target_label))
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant closing tag
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part above is escaped by format_html
