"""The survey's pages: settings and their links (analysts and administrators), each plan's
questions (administrators), results (every signed-in role), and the survey itself, open to
anyone with a setting's link.

The survey page asks for nothing that identifies a child: no name, no free text, only
answers from a list. Its spam defences keep no lasting trace either: a honeypot field, CSRF,
and a rate limit that counts a keyed hash of the address for an hour (``ratelimit.py``).
"""

from __future__ import annotations

import logging
from typing import Any

import segno
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from safeplan.measures.public import Published
from safeplan.measures.suppression import SUPPRESSED
from safeplan.plans import library
from safeplan.plans.model import Plan
from safeplan.web.accounts.access import EVERY_ROLE, allow, permits, public
from safeplan.web.accounts.models import Role
from safeplan.web.audit.trail import record
from safeplan.web.errors import field_errors
from safeplan.web.survey import answers, ratelimit
from safeplan.web.survey.models import Question, Setting, SettingKind, new_key, questions_for
from safeplan.web.survey.questions import (
    AGE_BAND_OF,
    AGES,
    ANSWER_NAMES,
    ANSWERS,
    DEFAULT_QUESTIONS,
    MAX_TEXT,
    MEASURE_QUESTION,
    NOT_KNOWN,
)

log = logging.getLogger(__name__)

MANAGERS = (Role.analyst, Role.admin)
HONEYPOT = "homepage"  # a field people never see; software that fills every field fills it
MAX_NAME = 120
BREAKDOWN_NAMES = {"total": "All", "setting": "Setting", "agency": "Setting", "age_band": "Age"}
DONE = {
    "saved": "The questions have been saved.",
    "added": "The question has been added.",
    "removed": "The question has been removed.",
}


def _plans() -> dict[str, Plan]:
    return {entry.plan.id: entry.plan for entry in library.entries()}


def survey_link(request: HttpRequest, setting: Setting) -> str:
    return request.build_absolute_uri(reverse("survey:take", kwargs={"token": setting.token}))


def qr_code(link: str) -> str:
    """The link as a QR code, an SVG ``data:`` URL: shown by an <img>, which the
    Content-Security-Policy allows (img-src 'self' data:), with no inline style or script."""
    code = segno.make(link, error="m")
    return str(code.svg_data_uri(scale=8, border=4, dark="#0b0c0c", light="#ffffff"))


# --- settings and their links ---------------------------------------------------------------


@allow(*MANAGERS)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def settings_list(request: HttpRequest) -> HttpResponseBase:
    plans = _plans()
    form = {"name": "", "kind": "", "plan": ""}
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip() for key in form}
        if not form["name"]:
            errors.append({"text": "Enter the setting's name", "href": "#name"})
        elif len(form["name"]) > MAX_NAME:
            errors.append(
                {"text": f"The name must be {MAX_NAME} characters or fewer", "href": "#name"}
            )
        elif Setting.objects.filter(name__iexact=form["name"]).exists():
            errors.append({"text": "A setting with this name already exists", "href": "#name"})
        if form["kind"] not in SettingKind.values:
            errors.append({"text": "Choose what kind of setting it is", "href": "#kind"})
        if form["plan"] not in plans:
            errors.append({"text": "Choose the plan its answers count towards", "href": "#plan"})
        if not errors:
            setting = Setting.objects.create(
                name=form["name"], kind=form["kind"], plan_id=form["plan"]
            )
            detail = {"name": setting.name, "kind": setting.kind, "plan": setting.plan_id}
            target = f"survey/settings/{setting.pk}"
            record(request.user, "survey-setting-added", target, detail, request=request)
            return HttpResponseRedirect(reverse("survey:setting", kwargs={"pk": setting.pk}))
    settings = list(Setting.objects.all())
    used = sorted({s.plan_id for s in settings})
    context: dict[str, Any] = {
        "settings": settings,
        "plans": plans,
        "kind_items": [{"value": value, "text": text} for value, text in SettingKind.choices],
        "plan_items": [{"value": "", "text": "Choose a plan"}]
        + [{"value": plan_id, "text": plan.title} for plan_id, plan in plans.items()],
        "form": form,
        "errors": errors,
        "field_errors": field_errors(errors),
        "question_plans": [
            (plan_id, plans[plan_id].title)
            for plan_id in used
            if plan_id in plans and permits(request.user, "survey:questions", plan_id=plan_id)
        ],
        "nav": "survey",
    }
    return render(request, "survey/settings.html", context, status=400 if errors else 200)


@allow(*MANAGERS)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def setting_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A setting's link and QR code (a page to print as a poster), and switching it off."""
    setting = get_object_or_404(Setting, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in ("deactivate", "reactivate"):
            setting.active = action == "reactivate"
            setting.save(update_fields=["active"])
            target = f"survey/settings/{setting.pk}"
            detail = {"name": setting.name}
            record(request.user, f"survey-setting-{action}d", target, detail, request=request)
        return HttpResponseRedirect(reverse("survey:setting", kwargs={"pk": setting.pk}))
    link = survey_link(request, setting)
    plan = _plans().get(setting.plan_id)
    context = {
        "setting": setting,
        "plan_title": plan.title if plan else setting.plan_id,
        "link": link,
        "qr": qr_code(link),
        "kind": SettingKind(setting.kind).label,
        "nav": "survey",
    }
    return render(request, "survey/setting.html", context)


# --- each plan's questions ------------------------------------------------------------------


@allow(Role.admin)
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def questions(request: HttpRequest, plan_id: str) -> HttpResponseBase:
    """Change a plan's questions: their words, a new one, or one removed. The question the
    measure reads cannot be removed (its words can change), nor the last one."""
    plan = _plans().get(plan_id)
    if plan is None:
        raise Http404(f"no plan has the id {plan_id!r}")
    asked = questions_for(plan_id)
    errors: list[dict[str, str]] = []
    texts = {q.pk: q.text for q in asked}
    new_text = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        done = ""
        if action == "save":
            texts = {q.pk: request.POST.get(f"text-{q.pk}", "").strip() for q in asked}
            for q in asked:
                errors += _text_errors(texts[q.pk], f"#text-{q.pk}")
            if not errors:
                for q in asked:
                    if q.text != texts[q.pk]:
                        q.text = texts[q.pk]
                        q.save(update_fields=["text"])
                done = "saved"
        elif action == "add":
            new_text = request.POST.get("new", "").strip()
            errors += _text_errors(new_text, "#new")
            if not errors:
                position = max((q.position for q in asked), default=0) + 1
                key = new_key(plan_id, new_text)
                Question.objects.create(plan_id=plan_id, key=key, text=new_text, position=position)
                done = "added"
        elif action == "remove":
            gone = next((q for q in asked if str(q.pk) == request.POST.get("question")), None)
            if gone is not None and gone.key != MEASURE_QUESTION and len(asked) > 1:
                gone.delete()
                done = "removed"
        if done:
            detail = {"plan": plan_id, "questions": [q.key for q in questions_for(plan_id)]}
            target = f"survey/questions/{plan_id}"
            record(request.user, f"survey-questions-{done}", target, detail, request=request)
            url = reverse("survey:questions", kwargs={"plan_id": plan_id})
            return HttpResponseRedirect(f"{url}?done={done}")
    context = {
        "plan": plan,
        "asked": asked,
        "texts": texts,
        "new_text": new_text,
        "measure_question": MEASURE_QUESTION,
        "defaults": DEFAULT_QUESTIONS,
        "answers": ANSWERS,
        "max_text": MAX_TEXT,
        "done": DONE.get(request.GET.get("done", "")),
        "errors": errors,
        "field_errors": field_errors(errors),
        "nav": "survey",
    }
    return render(request, "survey/questions.html", context, status=400 if errors else 200)


def _text_errors(text: str, href: str) -> list[dict[str, str]]:
    if not text:
        return [{"text": "Enter the question's words", "href": href}]
    if len(text) > MAX_TEXT:
        return [{"text": f"A question must be {MAX_TEXT} characters or fewer", "href": href}]
    return []


# --- results --------------------------------------------------------------------------------


@allow(*EVERY_ROLE)
@never_cache
@require_safe
def results(request: HttpRequest) -> HttpResponse:
    """Each plan's answers in the latest quarter that has any, in total, by setting and by
    age band, with small numbers withheld; and the measure they feed."""
    try:  # the answers still waiting count too, once fed
        answers.feed()
    except Exception:
        log.exception("cannot feed the survey's answers to the store now")
    found = answers.tally()
    plans = _plans()
    plan_ids = sorted(
        set(Setting.objects.values_list("plan_id", flat=True)) | {k[0] for k in found.counts}
    )
    sections = []
    for plan_id in plan_ids:
        plan = plans.get(plan_id)
        counts = answers.plan_counts(found, plan_id)
        saved = {q.key: q.text for q in Question.objects.filter(plan_id=plan_id)}
        asked = saved or dict(DEFAULT_QUESTIONS)
        extra = {key: f"{key.replace('_', ' ').capitalize()} (no longer asked)" for key in counts}
        tables = [
            answers.question_table(key, text, counts.get(key, {}))
            for key, text in {**asked, **{k: v for k, v in extra.items() if k not in asked}}.items()
        ]
        has_measure = plan is not None and any(
            ref.measure == answers.MEASURE for _, ref in plan.measure_refs()
        )
        measure_url = (
            reverse("partner:measure", kwargs={"plan_id": plan_id, "measure_id": answers.MEASURE})
            if has_measure
            else ""
        )
        sections.append(
            {
                "plan_id": plan_id,
                "title": plan.title if plan else plan_id,
                "tables": tables,
                "measure_url": measure_url,
            }
        )
    context = {
        "tally": found,
        "sections": sections,
        "measure": _measure_rows(answers.measure_figures(found.measure)),
        "breakdown_names": BREAKDOWN_NAMES,
        "answer_names": [name for _, name in ANSWERS],
        "may_manage": permits(request.user, "survey:settings"),
        "nav": "survey",
    }
    return render(request, "survey/results.html", context)


def _measure_rows(published: list[Published]) -> list[dict[str, str]]:
    """The measure's figures as the results page shows them: withheld ones as "c"."""
    rows = []
    for p in published:
        r = p.result
        rows.append(
            {
                "breakdown": BREAKDOWN_NAMES.get(r.breakdown, r.breakdown),
                "group": r.group,
                "value": p.symbol or SUPPRESSED
                if p.suppressed
                else "–"
                if r.value is None
                else f"{r.value:.1f}%",
                "yes": SUPPRESSED if r.numerator is None else f"{r.numerator:,.0f}",
                "answered": SUPPRESSED if r.denominator is None else f"{r.denominator:,.0f}",
            }
        )
    return rows


# --- the survey children answer -------------------------------------------------------------


def _setting(token: str) -> Setting:
    setting = Setting.objects.filter(token=token).first()
    if setting is None:
        raise Http404("no such survey")
    return setting


def _form(
    request: HttpRequest,
    setting: Setting,
    asked: list[Question],
    chosen: dict[str, str],
    errors: list[dict[str, str]],
    status: int = 200,
) -> HttpResponse:
    context = {
        "setting": setting,
        "questions": asked,
        "answer_items": [{"value": value, "text": text} for value, text in ANSWERS],
        "age_items": [{"value": value, "text": text} for value, text, _ in AGES],
        "chosen": chosen,
        "errors": errors,
        "honeypot": HONEYPOT,
    }
    return render(request, "survey/take.html", context, status=status)


@public
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def take(request: HttpRequest, token: str) -> HttpResponseBase:
    """The survey: one page of questions from a setting's link; no account, no name."""
    setting = _setting(token)
    if not setting.active:
        return render(request, "survey/closed.html", {"setting": setting}, status=410)
    asked = questions_for(setting.plan_id)
    if request.method != "POST":
        return _form(request, setting, asked, {}, [])
    if not ratelimit.admit(request, setting):
        return render(request, "survey/too_many.html", {"setting": setting}, status=429)
    thanks = HttpResponseRedirect(reverse("survey:thanks", kwargs={"token": setting.token}))
    if request.POST.get(HONEYPOT, ""):
        return thanks  # looks like success to the sender; nothing is kept
    chosen = {q.key: value for q in asked if (value := request.POST.get(q.key, "")) in ANSWER_NAMES}
    age = request.POST.get("age", "")
    if age in AGE_BAND_OF:
        chosen["age"] = age
    if not any(q.key in chosen for q in asked):
        first = asked[0].key if asked else "age"
        error = {"text": "Choose an answer to at least one question", "href": f"#{first}"}
        return _form(request, setting, asked, chosen, [error], status=400)
    given = [(q.key, chosen[q.key]) for q in asked if q.key in chosen]
    band = AGE_BAND_OF.get(age, NOT_KNOWN)
    answers.write(setting.plan_id, setting.name, given, band, timezone.localdate())
    return thanks


@public
@never_cache
@require_safe
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    return render(request, "survey/thanks.html", {"setting": _setting(token)})
