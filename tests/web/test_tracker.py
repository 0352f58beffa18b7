"""The intervention and action tracker: every intervention of a plan becomes an item, the lead
agency alone reports on its items, what is overdue or slipping surfaces on the dashboard and in
the reminders, evidence links are https only, and every change is audited."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.utils import timezone

from safeplan.plans import library
from safeplan.plans.model import Intervention, Plan
from tests.web.conftest import text_of

PLAN = "durham-lscb-2017-2020"
TODAY = datetime.date(2025, 6, 16)  # a fixed day for the rules; the pages use the real one
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def empty_outbox() -> None:
    """Django's locmem backend keeps every e-mail in mail.outbox; each test starts it empty."""
    mail.outbox = []


def person(
    role: str, agency: str = "Test County Council", kind: str = "council", email: str = ""
) -> Any:
    from safeplan.web.accounts.models import Agency, User

    found, _ = Agency.objects.get_or_create(name=agency, defaults={"kind": kind})
    user = User(username=f"{role}-{kind}-{email or 'none'}", role=role, agency=found, email=email)
    user.set_unusable_password()
    user.save()
    return user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def items_of(plan: Plan) -> list[Any]:
    from safeplan.web.tracker import rules
    from safeplan.web.tracker.models import Item

    rules.sync(plan)
    return list(
        Item.objects.filter(plan_id=plan.id, in_plan=True).order_by("priority_id", "position")
    )


def an_item(lead: Any = None, **fields: Any) -> Any:
    """The Durham plan's first intervention ("Prevent CSE"), led by ``lead``."""
    from safeplan.web.tracker import rules
    from safeplan.web.tracker.models import Item

    rules.sync(library.get(PLAN))
    item = Item.objects.get(plan_id=PLAN, priority_id="child-sexual-exploitation", position=0)
    item.lead_agency = lead
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    return item


def milestone(item: Any, title: str, due: datetime.date, done: datetime.date | None = None) -> Any:
    from safeplan.web.tracker.models import Milestone

    return Milestone.objects.create(item=item, title=title, due=due, done_on=done)


def entries(change: str | None = None) -> list[Any]:
    from safeplan.web.audit.models import Entry

    found = Entry.objects.filter(action="tracker").order_by("seq")
    return [e for e in found if change is None or f'"change":"{change}"' in e.detail]


def date_fields(name: str, value: datetime.date) -> dict[str, str]:
    return {
        f"{name}-day": str(value.day),
        f"{name}-month": str(value.month),
        f"{name}-year": str(value.year),
    }


# --- items follow the plan ---------------------------------------------------------------


def test_every_intervention_becomes_an_item_once(db: None) -> None:
    plan = library.get(PLAN)
    wanted = [(p.id, n, i.title) for p in plan.priorities for n, i in enumerate(p.interventions)]
    first = items_of(plan)
    assert sorted((i.priority_id, i.position, i.title) for i in first) == sorted(wanted)
    assert len(first) == 16
    assert [i.pk for i in items_of(plan)] == [i.pk for i in first]  # a second visit adds none


def test_items_follow_an_edited_plan(db: None) -> None:
    """Moved interventions keep their item (matched by title), a reworded one keeps its item
    (matched by position), a removed one is set aside with its history, a new one is added."""
    from safeplan.web.tracker.models import Item

    plan = library.get(PLAN)
    before = {(i.priority_id, i.title): i.pk for i in items_of(plan)}
    edited = plan.model_copy(deep=True)
    edited.priorities[0].interventions = [  # was: Prevent CSE, Protect ..., Pursue ...
        Intervention(title="Pursue perpetrators of CSE"),  # moved up from third
        Intervention(title="Protect children and young people from exploitation"),  # reworded
        Intervention(title="Disrupt"),  # new; "Prevent CSE" is gone
    ]
    after = {(i.priority_id, i.position): i for i in items_of(edited)}
    key = "child-sexual-exploitation"
    assert after[(key, 0)].pk == before[(key, "Pursue perpetrators of CSE")]
    assert after[(key, 1)].pk == before[(key, "Protect children and young people from CSE")]
    assert after[(key, 1)].title == "Protect children and young people from exploitation"
    assert after[(key, 2)].title == "Disrupt" and after[(key, 2)].pk not in before.values()
    (gone,) = Item.objects.filter(plan_id=PLAN, in_plan=False)
    assert gone.pk == before[(key, "Prevent CSE")]
    assert len(after) == 16


# --- who may do what ---------------------------------------------------------------------


def test_the_lead_agency_reports_and_administrators_for_anyone(db: None) -> None:
    from safeplan.web.tracker.rules import may_edit, may_update

    police = person("contributor", "Test Police", "police")
    item = an_item(police.agency)
    assert may_update(police, item)
    assert may_update(person("analyst", "Test Police", "police"), item)
    assert may_update(person("admin"), item)  # the council's administrator: any agency
    assert not may_update(person("contributor"), item)  # the council's contributor
    assert not may_update(person("analyst"), item)
    assert not may_update(person("board", "Test Police", "police"), item)  # boards only read
    unled = an_item(None)
    assert not may_update(police, unled) and may_update(person("admin", email="a@x.org"), unled)
    assert may_edit(person("analyst", email="b@x.org")) and not may_edit(police)


def test_another_agency_cannot_post_an_update(db: None) -> None:
    from safeplan.web.tracker.models import ProgressUpdate

    item = an_item(person("contributor", "Test Police", "police").agency)
    council = client_for(person("contributor"))
    page = f"/tracker/items/{item.pk}/"
    assert council.get(f"{page}update/").status_code == 403
    posted = council.post(
        f"{page}update/", {"status": "complete", "text": "not ours", **date_fields("date", TODAY)}
    )
    assert posted.status_code == 403 and not ProgressUpdate.objects.exists()
    assert b"Post a progress update" not in council.get(page).content
    assert council.get(page).status_code == 200  # but everyone reads


# --- posting an update -------------------------------------------------------------------


def test_a_contributor_posts_an_update_that_sets_the_status_and_is_audited(db: None) -> None:
    from safeplan.web.tracker.models import ProgressUpdate

    police = person("contributor", "Test Police", "police")
    item = an_item(police.agency)
    today = timezone.localdate()
    step = milestone(item, "Training for all designated leads", today + datetime.timedelta(days=3))
    client = client_for(police)
    page = f"/tracker/items/{item.pk}/"
    assert b"Post a progress update" in client.get(page).content
    form = client.get(f"{page}update/")
    assert form.status_code == 200
    assert f'value="{today.year}"'.encode() in form.content  # the date defaults to today
    words = "Sessions booked with every secondary school.\nTwo delivered."
    link = "https://partnership.example.org/minutes/2025-06"
    posted = client.post(
        f"{page}update/",
        {
            "status": "at_risk",
            "text": words,
            "evidence_url": link,
            "done": [str(step.pk)],
            **date_fields("date", today),
        },
    )
    assert posted.status_code == 302 and posted["Location"] == f"{page}#updates"
    update = ProgressUpdate.objects.get()
    assert (update.status, update.text, update.evidence_url, update.author) == (
        "at_risk",
        words,
        link,
        police,
    )
    item.refresh_from_db()
    step.refresh_from_db()
    assert item.status == "at_risk" and step.done_on == today
    shown = client_for(person("board", "Test ICB", "health")).get(page)
    text = text_of(shown.content)
    assert "Sessions booked with every secondary school." in text and "Two delivered." in text
    assert (
        f'href="{link}"'.encode() in shown.content and b'rel="noreferrer noopener"' in shown.content
    )
    assert 'data-status="at_risk"' in shown.content.decode()
    (entry,) = entries("progress update")
    assert entry.actor == police.username and entry.target == f"tracker/items/{item.pk}"
    assert '"status":"at_risk"' in entry.detail and '"was":"not_started"' in entry.detail
    assert "Training for all designated leads" in entry.detail and link in entry.detail


def test_updates_are_listed_newest_first(db: None) -> None:
    admin = person("admin")
    item = an_item(admin.agency)
    client = client_for(admin)
    today = timezone.localdate()
    for days, words in ((10, "The older one."), (0, "The newest one."), (5, "The middle one.")):
        when = today - datetime.timedelta(days=days)
        fields = {"status": "on_track", "text": words, **date_fields("date", when)}
        assert client.post(f"/tracker/items/{item.pk}/update/", fields).status_code == 302
    text = text_of(client.get(f"/tracker/items/{item.pk}/").content)
    order = [text.index(w) for w in ("The newest one.", "The middle one.", "The older one.")]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("http://partnership.example.org/report", "Enter a link that starts with https://"),
        ("javascript:alert(1)", "Enter a link that starts with https://"),
        ("ftp://files.example.org/x", "Enter a link that starts with https://"),
        ("https://not a web address", "Enter a real web address"),
        ("https://" + "a" * 500 + ".org", "The link must be 500 characters or fewer"),
    ],
)
def test_evidence_links_must_be_https(db: None, link: str, message: str) -> None:
    from safeplan.web.tracker.models import ProgressUpdate

    admin = person("admin")
    item = an_item(admin.agency)
    fields = {"status": "on_track", "text": "Done.", "evidence_url": link}
    response = client_for(admin).post(
        f"/tracker/items/{item.pk}/update/", fields | date_fields("date", timezone.localdate())
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'href="#evidence_url"' in html  # the summary links to the field
    assert "govuk-error-summary" in html and html.count(message) == 2  # summary and inline
    assert not ProgressUpdate.objects.exists()


def test_the_model_refuses_a_plain_http_evidence_link(db: None) -> None:
    from django.core.exceptions import ValidationError

    from safeplan.web.tracker.models import ProgressUpdate

    admin = person("admin")
    update = ProgressUpdate(
        item=an_item(admin.agency),
        date=TODAY,
        text="x",
        evidence_url="http://example.org/",
        author=admin,
        status="on_track",
    )
    with pytest.raises(ValidationError, match="https://"):
        update.full_clean()
    update.evidence_url = "https://example.org/"
    update.full_clean()


def test_an_update_needs_words_a_real_past_date_and_a_status(db: None) -> None:
    admin = person("admin")
    item = an_item(admin.agency)
    client = client_for(admin)
    page = f"/tracker/items/{item.pk}/update/"
    empty = client.post(page, {"date-day": "", "date-month": "", "date-year": ""})
    assert empty.status_code == 400
    for message in ("Select the status", "Enter the date of the update", "Enter what has happened"):
        assert message in empty.content.decode()
    partial = client.post(
        page, {"status": "on_track", "text": "x", "date-day": "3", "date-year": "2025"}
    )
    assert "The date of the update must include a month" in partial.content.decode()
    assert 'href="#date-month"' in partial.content.decode()
    unreal = client.post(
        page,
        {
            "status": "on_track",
            "text": "x",
            **date_fields("date", TODAY),
            "date-day": "31",
            "date-month": "2",
        },
    )
    assert "The date of the update must be a real date" in unreal.content.decode()
    future = timezone.localdate() + datetime.timedelta(days=1)
    later = client.post(page, {"status": "on_track", "text": "x", **date_fields("date", future)})
    assert "must be today or in the past" in later.content.decode()
    wrong = client.post(page, {"status": "nearly", "text": "x", **date_fields("date", TODAY)})
    assert "Select the status" in wrong.content.decode()
    assert not entries()


# --- setting items up --------------------------------------------------------------------


def test_an_analyst_sets_the_lead_agency_owner_and_milestones(db: None) -> None:
    from safeplan.web.accounts.models import Agency
    from safeplan.web.tracker.models import Milestone

    analyst = person("analyst")
    police = Agency.objects.create(name="Durham Constabulary", kind="police")
    item = an_item(None)
    client = client_for(analyst)
    edit = f"/tracker/items/{item.pk}/edit/"
    assert client.post(edit, {"lead_agency": "99999", "owner": ""}).status_code == 400
    saved = client.post(edit, {"lead_agency": str(police.pk), "owner": "Head of Early Help"})
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.lead_agency == police and item.owner == "Head of Early Help"

    add = f"/tracker/items/{item.pk}/milestones/new/"
    bad = client.post(add, {"title": "", "due-day": "40", "due-month": "1", "due-year": "2026"})
    assert bad.status_code == 400
    assert "Enter the milestone" in bad.content.decode()
    assert "The due date must be a real date" in bad.content.decode()
    made = client.post(add, {"title": "Policy agreed", **date_fields("due", TODAY)})
    assert made.status_code == 302 and made["Location"] == edit
    step = Milestone.objects.get()
    assert (step.title, step.due, step.done_on) == ("Policy agreed", TODAY, None)
    assert b"Policy agreed" in client.get(edit).content

    change = f"/tracker/milestones/{step.pk}/"
    done = {
        "title": "Policy agreed by the board",
        **date_fields("due", TODAY),
        **date_fields("done", TODAY),
    }
    assert client.post(change, done).status_code == 302
    step.refresh_from_db()
    assert step.title == "Policy agreed by the board" and step.done_on == TODAY
    assert client.post(change, {"action": "remove"}).status_code == 302
    assert not Milestone.objects.exists()
    changes = [re.search(r'"change":"([^"]+)"', e.detail).group(1) for e in entries()]  # type: ignore[union-attr]
    assert changes == ["set up", "milestone added", "milestone changed", "milestone removed"]
    assert "Durham Constabulary" in entries("set up")[0].detail
    contributor = client_for(person("contributor"))
    assert contributor.get(edit).status_code == 403 and contributor.get(add).status_code == 403


# --- what needs attention ----------------------------------------------------------------


def test_overdue_is_past_due_not_done_and_not_complete(db: None) -> None:
    from safeplan.web.tracker import rules

    item = an_item(None)
    late = milestone(item, "Late", TODAY - datetime.timedelta(days=1))
    milestone(item, "Due today", TODAY)
    milestone(item, "Done late", TODAY - datetime.timedelta(days=9), done=TODAY)
    fetched = rules.with_milestones(type(item).objects.filter(pk=item.pk)).get()
    assert rules.overdue(fetched, TODAY) == [late]
    assert late.overdue(TODAY) and not late.overdue(late.due)
    assert rules.next_milestone(fetched) == late
    item.status = "complete"
    item.save()
    fetched = rules.with_milestones(type(item).objects.filter(pk=item.pk)).get()
    assert rules.overdue(fetched, TODAY) == []
    assert rules.concerns(TODAY) == []


def test_concerns_come_most_pressing_first(db: None) -> None:
    from safeplan.web.tracker import rules

    items = items_of(library.get(PLAN))
    at_risk, off_track, late, fine = items[:4]
    for found, status in ((at_risk, "at_risk"), (off_track, "off_track"), (fine, "on_track")):
        found.status = status
        found.save()
    milestone(late, "Old", TODAY - datetime.timedelta(days=30))
    milestone(fine, "Soon", TODAY + datetime.timedelta(days=14))
    milestone(fine, "Later", TODAY + datetime.timedelta(days=15))
    found = rules.concerns(TODAY)
    assert [c.item.pk for c in found] == [off_track.pk, late.pk, at_risk.pk]
    assert found[1].reasons == ["Milestone overdue: Old (due 17 May 2025)"]
    assert found[0].reasons == ["Off track"]
    assert [m.title for m in rules.due_soon(TODAY)] == ["Soon"]  # 14 days on, not 15


def test_the_dashboard_lists_actions_that_need_attention(db: None) -> None:
    items = items_of(library.get(PLAN))
    today = timezone.localdate()
    for found in items[:11]:
        found.status = "at_risk"
        found.save()
    late = items[12]
    milestone(late, "Audit of return interviews", today - datetime.timedelta(days=2))
    board = client_for(person("board", "Test ICB", "health"))
    page = board.get("/dashboard/")
    html = page.content.decode()
    assert "Actions that need attention" in html
    section = html.split('id="attention"', 1)[1]
    links = re.findall(r'href="/tracker/items/(\d+)/"', section)
    assert len(links) == 10 and links[0] == str(late.pk)  # overdue before at risk
    assert "Milestone overdue: Audit of return interviews" in text_of(page.content)
    assert "The 10 most pressing of 12 are shown." in text_of(page.content)
    assert f'href="/tracker/{PLAN}/"' in html  # the full tracker


def test_the_dashboard_says_when_nothing_needs_attention(db: None) -> None:
    page = client_for(person("board")).get("/dashboard/")
    assert "No milestone is overdue and no action is at risk or off track." in text_of(page.content)


def test_the_plan_tracker_lists_every_intervention_with_its_next_milestone(db: None) -> None:
    today = timezone.localdate()
    police = person("contributor", "Test Police", "police")
    item = an_item(police.agency, owner="DCI Exploitation Lead", status="off_track")
    milestone(item, "Screening tool agreed", today - datetime.timedelta(days=1))
    milestone(item, "Screening tool in use", today + datetime.timedelta(days=30))
    page = client_for(police).get(f"/tracker/{PLAN}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert len(re.findall(r'<tr class="govuk-table__row" data-item=', html)) == 16
    row = re.search(rf'data-item="{item.pk}">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = text_of(row.group(1).encode())
    for shown in ("Prevent CSE", "Test Police", "DCI Exploitation Lead", "Off track", "Overdue"):
        assert shown in cells
    assert "Screening tool agreed" in cells
    assert 'class="sp-table-scroll" role="region"' in html
    assert client_for(police).get("/tracker/no-such-plan/").status_code == 404


def test_a_plan_with_no_interventions_says_so(db: None) -> None:
    page = client_for(person("board")).get("/tracker/devon-cyp-plan-2019-2023/")
    assert "This plan lists no planned interventions" in text_of(page.content)


# --- reminders ---------------------------------------------------------------------------


@override_settings(EMAIL_BACKEND=LOCMEM, DEFAULT_FROM_EMAIL="SafePlan <safeplan@test.example>")
def test_reminders_email_each_lead_agencys_reporters(db: None) -> None:
    from safeplan.web.tracker import reminders

    police_a = person("contributor", "Test Police", "police", "a@police.example")
    person("analyst", "Test Police", "police", "b@police.example")
    person("admin", "Test Police", "police")  # no address: counted, not sent
    person("board", "Test Police", "police", "board@police.example")  # boards get none
    person("contributor", email="c@council.example")  # another agency: nothing of theirs
    items = items_of(library.get(PLAN))
    slipping, soon, unled = items[0], items[1], items[2]
    for found in (slipping, soon):
        found.lead_agency = police_a.agency
        found.save()
    slipping.status = "off_track"
    slipping.save()
    milestone(soon, "Return interviews audited", TODAY + datetime.timedelta(days=3))
    unled.status = "at_risk"
    unled.save()
    due = reminders.gather(TODAY)
    sent = reminders.send(due, lambda i: f"https://safeplan.example/tracker/items/{i.pk}/")
    assert (sent.emails, sent.agencies, sent.without_address, sent.no_lead_agency) == (
        2,
        ["Test Police"],
        1,
        1,
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["a@police.example", "b@police.example"]
    message = mail.outbox[0]
    assert len(message.to) == 1 and message.from_email == "SafePlan <safeplan@test.example>"
    assert message.subject == "SafePlan: 2 actions need attention"
    assert f"{slipping.title}: Off track" in message.body
    assert "Milestone due soon: Return interviews audited (due 19 June 2025)" in message.body
    assert f"https://safeplan.example/tracker/items/{soon.pk}/" in message.body
    assert unled.title not in message.body


@override_settings(EMAIL_BACKEND=LOCMEM)
def test_the_reminders_page_sends_and_says_how_many(db: None) -> None:
    police = person("contributor", "Test Police", "police", "lead@police.example")
    item = an_item(police.agency, status="at_risk")
    admin = client_for(person("admin"))
    page = admin.get("/tracker/reminders/")
    assert page.status_code == 200
    text = text_of(page.content)
    assert "Prevent CSE" in text and "Test Police" in text
    sent = admin.post("/tracker/reminders/")
    assert sent.status_code == 302 and sent["Location"] == "/tracker/reminders/"
    assert [m.to for m in mail.outbox] == [["lead@police.example"]]
    assert f"http://testserver/tracker/items/{item.pk}/" in mail.outbox[0].body
    assert "1 e-mail sent to people at Test Police." in text_of(
        admin.get("/tracker/reminders/").content
    )
    assert "e-mail sent" not in text_of(admin.get("/tracker/reminders/").content)  # said once
    (entry,) = entries("reminders sent")
    assert entry.target == "tracker/reminders" and '"emails":1' in entry.detail
    assert client_for(person("analyst")).post("/tracker/reminders/").status_code == 403
    assert len(mail.outbox) == 1


def test_email_goes_to_the_console_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    from safeplan.web.env import WebEnv

    for name in ("SAFEPLAN_EMAIL_BACKEND", "SAFEPLAN_EMAIL_HOST", "SAFEPLAN_EMAIL_PORT"):
        monkeypatch.delenv(name, raising=False)
    env = WebEnv()
    assert env.email_backend == "django.core.mail.backends.console.EmailBackend"
    monkeypatch.setenv("SAFEPLAN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    monkeypatch.setenv("SAFEPLAN_EMAIL_HOST", "smtp.partnership.example")
    monkeypatch.setenv("SAFEPLAN_EMAIL_PORT", "587")
    monkeypatch.setenv("SAFEPLAN_EMAIL_USE_TLS", "1")
    env = WebEnv()
    assert (env.email_host, env.email_port, env.email_use_tls) == (
        "smtp.partnership.example",
        587,
        True,
    )


class UnreachableMailServer(BaseEmailBackend):
    """A mail backend whose server never answers."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("no mail server at localhost:25")


@override_settings(EMAIL_BACKEND="tests.web.test_tracker.UnreachableMailServer")
def test_a_mail_server_that_does_not_answer_is_reported_not_a_crash(db: None) -> None:
    police = person("contributor", "Test Police", "police", "lead@police.example")
    an_item(police.agency, status="off_track")
    admin = client_for(person("admin"))
    assert admin.post("/tracker/reminders/").status_code == 302
    page = text_of(admin.get("/tracker/reminders/").content)
    assert "The reminders could not be sent" in page
    (entry,) = entries("reminders not sent")
    assert '"failed":"ConnectionRefusedError"' in entry.detail
