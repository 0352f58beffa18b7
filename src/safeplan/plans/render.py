"""A plan as readable plain text, for the terminal and for e-mail."""

from __future__ import annotations

from safeplan.plans.model import MeasureRef, MeasureStatus, Plan
from safeplan.vocabulary import Direction

ARROWS = {
    Direction.increase: "▲ increase",
    Direction.reduce: "▼ reduce",
    Direction.track: "◆ track",
}


def plan_text(plan: Plan) -> str:
    out: list[str] = [plan.title, "=" * len(plan.title)]
    p = plan.partnership
    out.append(f"{p.name} · {p.area} · {plan.period} · {plan.status.value} · id {plan.id}")
    if p.statutory_partners:
        out.append("Statutory partners: " + "; ".join(a.name for a in p.statutory_partners))
    if p.member_agencies:
        out.append("Members: " + "; ".join(p.member_agencies))
    if p.governance:
        out.append("Governance: " + "; ".join(p.governance))
    if plan.vision:
        out += ["", f"Vision: {plan.vision}"]
    if plan.summary:
        out += ["", plan.summary]
    for n, priority in enumerate(plan.priorities, 1):
        out += ["", f"Priority {n}: {priority.title}"]
        if priority.aim:
            out.append(f"  Aim: {priority.aim}")
        if priority.description:
            out += _para(priority.description, "  ")
        if priority.commitments:
            out.append("  We will:")
            out += [f"    • {c}" for c in priority.commitments]
        for area in priority.focus_areas:
            out.append(f"  {area.title}")
            if area.description:
                out += _para(area.description, "    ")
            if area.commitments:
                out.append("    We will:")
                out += [f"      • {c}" for c in area.commitments]
            out += [f"    See: {plan.strategy(s).title}" for s in area.strategies]
        if priority.measures:
            proposed = all(m.status is MeasureStatus.proposed for m in priority.measures)
            out.append("  Key measures" + (" (proposed outcomes framework):" if proposed else ":"))
            out += [f"    {i}) {_measure(m)}" for i, m in enumerate(priority.measures, 1)]
        if priority.interventions:
            out.append("  Planned interventions:")
            for iv in priority.interventions:
                out.append(f"    • {iv.title}" + (f" – {iv.description}" if iv.description else ""))
        out += [f"  See: {plan.strategy(s).title}" for s in priority.strategies]
    if plan.enablers:
        out += ["", "Cross-cutting themes:"]
        for e in plan.enablers:
            out.append(f"  • {e.title}" + (f" – {e.description}" if e.description else ""))
    if plan.strategies:
        out += ["", "Linked strategies and documents:"]
        out += [f"  • {s.title} ({s.kind.value.replace('_', ' ')})" for s in plan.strategies]
    if plan.notes:
        out += ["", "Notes:"] + [f"  • {n}" for n in plan.notes]
    return "\n".join(out) + "\n"


def _measure(ref: MeasureRef) -> str:
    tag = f"[{ref.measure}]" if ref.measure else "[no catalogue measure yet]"
    status = " (proposed)" if ref.status is MeasureStatus.proposed else ""
    targets = "".join(f"; target {t.year}: {t.value:g}" for t in ref.targets)
    return f"{ARROWS[ref.direction]} — {ref.wording} {tag}{status}{targets}"


def _para(text: str, indent: str) -> list[str]:
    return [indent + line for line in text.splitlines() if line.strip()]
