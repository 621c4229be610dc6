"""The geometry of the dashboard's two charts, drawn as server-side SVG (templates/pm/
chart_*.html): no JavaScript, and no style attributes (the Content-Security-Policy), only
classes from static/css/site.css. The SVG holds shapes only and stretches to its box; the axis
labels are HTML beside it, so they keep a readable size on a phone. Each template also holds
the figures as a table for screen readers."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 0, 0, 2, 0


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    css: str
    label: str


def _slots(n: int) -> tuple[float, float]:
    """Each bar's slot width and the bar width within it."""
    slot = (WIDTH - LEFT - RIGHT) / max(n, 1)
    return slot, slot * 0.72


def votes_chart(days) -> dict:
    """Promotes above the axis, demotes below it, one bar pair per day (votes.VoteDay)."""
    peak = max((max(d.promotes, d.demotes) for d in days), default=0) or 1
    middle = TOP + (HEIGHT - TOP - BOTTOM) / 2
    scale = (middle - TOP) / peak
    slot, width = _slots(len(days))
    bars = []
    for i, d in enumerate(days):
        x = round(LEFT + i * slot + (slot - width) / 2, 1)
        day = d.day.strftime("%-d %b")
        if d.promotes:
            up = round(d.promotes * scale, 1)
            bars.append(
                Bar(
                    x,
                    round(width, 1),
                    round(middle - up, 1),
                    up,
                    "chart-up",
                    f"{day}: {d.promotes} promotes",
                )
            )
        if d.demotes:
            down = round(d.demotes * scale, 1)
            bars.append(
                Bar(x, round(width, 1), middle, down, "chart-down", f"{day}: {d.demotes} demotes")
            )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "middle": middle,
        "bars": bars,
        "peak": peak,
        "days": days,
        "total": sum(d.promotes + d.demotes for d in days),
    }


def status_chart(weeks, labels: dict[str, str]) -> dict:
    """One stacked bar per week (pm.selectors.StatusWeek), a segment per status in the
    order of `labels`, oldest week first."""
    peak = max((w.total for w in weeks), default=0) or 1
    base = HEIGHT - BOTTOM
    scale = (base - TOP) / peak
    slot, width = _slots(len(weeks))
    bars = []
    for i, week in enumerate(weeks):
        x = round(LEFT + i * slot + (slot - width) / 2, 1)
        y = base
        for status, label in labels.items():
            n = week.counts.get(status, 0)
            if not n:
                continue
            height = n * scale
            y -= height
            bars.append(
                Bar(
                    x,
                    round(width, 1),
                    round(y, 1),
                    round(height, 1),
                    f"pm-s-{status}",
                    f"{week.end.strftime('%-d %b')}: {n} {label}",
                )
            )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "base": base,
        "bars": bars,
        "peak": peak,
        "weeks": weeks,
        "labels": labels,
        "rows": [(w.end, [w.counts.get(s, 0) for s in labels]) for w in weeks],
    }
