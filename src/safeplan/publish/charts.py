"""A measure's trend and SPC chart: a Vega-Lite specification, drawn to SVG on the server by
vl-convert (no browser, no script in the page, and the same drawing for the board report).

The chart follows "Making Data Count": the values joined by a line, the mean, the process
limits dashed, the target dotted green, and each point coloured by its variation (grey common
cause, blue improving, red concerning, purple neither). Colour is never the only signal: the
same data, with each point's signal in words, is in the table under the chart.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import vl_convert

from safeplan.measures.model import Measure
from safeplan.measures.periods import parse as parse_period
from safeplan.measures.spc import SpcResult
from safeplan.vocabulary import VARIATIONS

SIGNALS = {str(state): (label.short, label.colour) for state, label in VARIATIONS.items()}
WIDTH, HEIGHT = 640, 260


def quarter_name(label: str) -> str:
    """ "2024-Q1" → "Jan–Mar 2024" (as the tables and the public pages say it)."""
    period = parse_period(label)
    return f"{period.start:%b}–{period.end:%b %Y}"


def spc_spec(measure: Measure, spc: SpcResult, target: float | None) -> dict[str, Any]:
    """The Vega-Lite specification of the measure's SPC chart."""
    rows = []
    for point in spc.points:
        label, _ = SIGNALS.get(point.variation, SIGNALS["common_cause"])
        rows.append(
            {
                "quarter": quarter_name(point.period),
                "value": point.value,
                "mean": spc.mean,
                "ucl": spc.ucl,
                "lcl": spc.lcl,
                "signal": label,
            }
        )
    order = [quarter_name(p.period) for p in spc.points]
    x = {
        "field": "quarter",
        "type": "ordinal",
        "sort": order,
        "title": None,
        "axis": {"labelAngle": -40},
    }
    y_title = f"{measure.title} ({measure.unit_label})"
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "line", "color": "#b1b4b6", "strokeWidth": 2},
            "encoding": {"y": {"field": "value", "type": "quantitative", "title": y_title}},
        },
        {
            "mark": {"type": "point", "filled": True, "size": 70},
            "encoding": {
                "y": {"field": "value", "type": "quantitative"},
                "color": {
                    "field": "signal",
                    "type": "nominal",
                    "title": "Variation",
                    "scale": {
                        "domain": [v[0] for v in SIGNALS.values()][:5],
                        "range": [v[1] for v in SIGNALS.values()][:5],
                    },
                },
                "shape": {"field": "signal", "type": "nominal", "legend": None},
            },
        },
    ]
    if spc.mean is not None:
        layers.append(_rule("mean", "#0b0c0c", dashed=False))
        layers.append(_rule("ucl", "#6f777b", dashed=True))
        layers.append(_rule("lcl", "#6f777b", dashed=True))
    if target is not None:
        layers.append(
            {
                "data": {"values": [{"level": target}]},
                "mark": {"type": "rule", "color": "#00703c", "strokeDash": [2, 2], "size": 2},
                "encoding": {"y": {"field": "level", "type": "quantitative"}},
            }
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description(measure, spc, target),
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": rows},
        "encoding": {"x": x},
        "layer": layers,
        "config": {"font": "Arial, sans-serif", "view": {"stroke": None}},
    }


def _rule(field: str, colour: str, dashed: bool) -> dict[str, Any]:
    mark: dict[str, Any] = {"type": "line", "color": colour, "strokeWidth": 1}
    if dashed:
        mark["strokeDash"] = [6, 4]
    return {"mark": mark, "encoding": {"y": {"field": field, "type": "quantitative"}}}


def description(measure: Measure, spc: SpcResult, target: float | None) -> str:
    """The chart in one sentence, for screen readers (the table below has every figure)."""
    numbers = [p for p in spc.points if p.value is not None]
    if not numbers:
        return f"{measure.title}: no figures for these quarters."
    first, last = numbers[0], numbers[-1]
    words = (
        f"{measure.title}, {quarter_name(first.period)} to {quarter_name(last.period)}: "
        f"{_fmt(first.value)} to {_fmt(last.value)}."
    )
    if spc.mean is not None:
        words += f" Mean {_fmt(spc.mean)}."
    if target is not None:
        words += f" Target {_fmt(target)}."
    return words + f" {spc.icons()[0]}."


def _fmt(value: float | None) -> str:
    return "none" if value is None else f"{value:,.1f}".removesuffix(".0")


@functools.lru_cache(maxsize=256)
def _svg(spec_json: str) -> str:
    return str(vl_convert.vegalite_to_svg(json.loads(spec_json)))


def svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG element (drawn once per distinct specification)."""
    drawn = _svg(json.dumps(spec, sort_keys=True, default=str))
    # Scale to the column on a phone; the text inside stays legible at half size.
    return drawn.replace('class="marks"', 'class="marks sp-chart" focusable="false"', 1)
