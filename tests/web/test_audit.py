"""The audit trail: append-only through the ORM, chained by hash, and any edit, removal or
insertion made behind its back (raw SQL) is found by verify_chain."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.test import Client

from tests.web.conftest import make_user, text_of


def three_entries() -> None:
    from safeplan.web.audit import record

    record("ana", "upload", "cin_census_2024.xml", {"records": 12, "findings": 0}, ip="192.0.2.1")
    record(None, "sign-in-failed", "bob", {"reason": "bad credentials"}, ip="192.0.2.2")
    record("system", "plan-change", "durham-lscb-2017-2020", "a detail in words")


def test_entries_are_chained_by_sha256(db: None) -> None:
    from safeplan.web.audit import verify_chain
    from safeplan.web.audit.models import GENESIS, Entry

    three_entries()
    first, second, third = Entry.objects.order_by("seq")
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    expected = hashlib.sha256(f"{first.hash}\n{second.canonical()}".encode()).hexdigest()
    assert second.hash == expected
    assert first.detail == '{"findings":0,"records":12}'  # canonical JSON, keys sorted
    result = verify_chain()
    assert result.ok and result.entries == 3


def test_the_orm_refuses_to_change_or_delete_entries(db: None) -> None:
    from safeplan.web.audit.models import AppendOnlyError, Entry

    three_entries()
    entry = Entry.objects.get(seq=2)
    entry.target = "someone else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(seq=2).update(target="x")
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.bulk_create([Entry(seq=9)])
    assert Entry.objects.get(seq=2).target == "bob"


def raw(sql: str, params: list[str | int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_entry_edited_with_raw_sql_is_found(db: None) -> None:
    from safeplan.web.audit import verify_chain

    three_entries()
    raw("UPDATE audit_entry SET target = %s WHERE seq = %s", ["alice", 2])
    result = verify_chain()
    assert not result.ok and result.seq == 2 and "changed" in result.problem


def test_an_entry_edited_with_its_hash_recomputed_is_found(db: None) -> None:
    """Rewriting one entry's hash to match breaks the link from the next entry."""
    from safeplan.web.audit import verify_chain
    from safeplan.web.audit.models import Entry

    three_entries()
    forged = Entry.objects.get(seq=2)
    forged.actor = "mallory"
    raw(
        "UPDATE audit_entry SET actor = %s, hash = %s WHERE seq = %s",
        ["mallory", forged.compute_hash(), 2],
    )
    result = verify_chain()
    assert not result.ok and result.seq == 3 and "follow on" in result.problem


def test_a_deleted_entry_is_found(db: None) -> None:
    from safeplan.web.audit import verify_chain

    three_entries()
    raw("DELETE FROM audit_entry WHERE seq = %s", [2])
    result = verify_chain()
    assert not result.ok and result.seq == 2 and "missing" in result.problem


def test_the_audit_page_and_its_export_are_audited(db: None) -> None:
    admin = Client(REMOTE_ADDR="192.0.2.50")
    admin.force_login(make_user("admin", "root"))
    three_entries()
    page = admin.get("/audit/")
    assert page.status_code == 200
    words = text_of(page.content)
    assert "hash chain verifies" in words and "cin_census_2024.xml" in words
    export = admin.get("/audit/export.csv")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in export["Content-Disposition"]
    body = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    actions = [(r["actor"], r["action"], r["target"]) for r in rows]
    assert ("root", "view", "audit") in actions and ("root", "export", "audit") in actions
    assert [int(r["seq"]) for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["ip"] == "192.0.2.50" for r in rows if r["action"] in {"view", "export"})


def test_the_audit_page_shows_tampering(db: None) -> None:
    admin = Client()
    admin.force_login(make_user("admin", "root"))
    three_entries()
    raw("UPDATE audit_entry SET detail = %s WHERE seq = %s", ["{}", 1])
    words = text_of(admin.get("/audit/").content)
    assert "tampered with: entry 1 was changed" in words


def test_the_audit_page_is_paged(db: None) -> None:
    from safeplan.web.audit import record
    from safeplan.web.audit.views import PAGE_SIZE

    for n in range(PAGE_SIZE + 5):
        record("ana", "upload", f"file-{n}.csv")
    admin = Client()
    admin.force_login(make_user("admin", "root"))
    first = admin.get("/audit/").content.decode()
    assert "page 1 of 2" in first and 'href="?page=2"' in first
    assert "file-0.csv" not in first  # newest first
    second = admin.get("/audit/?page=2").content.decode()
    assert "file-0.csv" in second


def test_views_of_the_data_quality_page_are_audited(db: None) -> None:
    from safeplan.web.audit.models import Entry

    analyst = Client()
    analyst.force_login(make_user("analyst", "ana"))
    assert analyst.get("/data-quality/").status_code == 200
    assert Entry.objects.filter(actor="ana", action="view", target="data-quality").exists()


def test_export_cells_cannot_run_as_formulas() -> None:
    from safeplan.web.audit.views import safe_cell

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("plain") == "plain"


def test_client_ip_trusts_x_forwarded_for_only_behind_the_tls_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.conf import settings
    from django.test import RequestFactory

    from safeplan.web.audit.trail import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.9"
    )
    assert client_ip(request) == "10.0.0.1"
    monkeypatch.setattr(settings, "SECURE_PROXY_SSL_HEADER", ("HTTP_X_FORWARDED_PROTO", "https"))
    assert client_ip(request) == "192.0.2.9"  # the address our proxy added, not the client's
