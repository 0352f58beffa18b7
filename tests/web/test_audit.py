"""The audit trail: append-only through the ORM, chained by an HMAC under a key kept outside
the web database, and any edit, removal or insertion made behind its back (raw SQL) is found
by verify_chain, even with every later hash recomputed; a cut-off tail is found against the
exported head."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from pathlib import Path

import pytest
from django.test import Client

from tests.web.conftest import make_user, text_of


def three_entries() -> None:
    from safeplan.web.audit import record

    record("ana", "upload", "cin_census_2024.xml", {"records": 12, "findings": 0}, ip="192.0.2.1")
    record(None, "sign-in-failed", "bob", {"reason": "bad credentials"}, ip="192.0.2.2")
    record("system", "plan-change", "durham-lscb-2017-2020", "a detail in words")


def test_entries_are_chained_by_an_hmac_under_the_audit_key(db: None) -> None:
    from django.conf import settings

    from safeplan.web.audit import verify_chain
    from safeplan.web.audit.models import GENESIS, Entry

    three_entries()
    first, second, third = Entry.objects.order_by("seq")
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    text = f"{first.hash}\n{second.canonical()}".encode()
    assert second.hash == hmac.new(settings.AUDIT_KEY, text, hashlib.sha256).hexdigest()
    assert second.hash != hashlib.sha256(text).hexdigest()
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


def test_an_entry_rewritten_with_every_later_hash_recomputed_without_the_key_is_found(
    db: None,
) -> None:
    """Whoever can write the database but does not hold the key cannot rewrite the trail:
    changing an entry's actor and recomputing its hash and every later one (with a guessed
    key, or as the plain SHA-256 chain entries had before the key) fails verification."""
    from safeplan.web.audit import verify_chain
    from safeplan.web.audit.models import UNKEYED, Entry

    for guess, scheme in ((b"a guessed key", None), (b"", UNKEYED)):
        raw("DELETE FROM audit_entry", [])
        three_entries()
        prev = Entry.objects.get(seq=1).hash
        for entry in Entry.objects.order_by("seq").filter(seq__gte=2):
            entry.prev_hash = prev
            if entry.seq == 2:
                entry.actor = "mallory"
            entry.scheme = scheme or entry.scheme
            entry.hash = entry.compute_hash(guess)
            raw(
                "UPDATE audit_entry SET actor = %s, prev_hash = %s, hash = %s, scheme = %s "
                "WHERE seq = %s",
                [entry.actor, entry.prev_hash, entry.hash, entry.scheme, entry.seq],
            )
            prev = entry.hash
        result = verify_chain()
        assert not result.ok and result.seq == 2, (guess, result)


def test_entries_made_before_the_key_still_verify(db: None) -> None:
    """A trail started before the key: its plain SHA-256 entries verify, then keyed ones."""
    from safeplan.web.audit import verify_chain
    from safeplan.web.audit.models import UNKEYED, Entry

    three_entries()
    prev = "0" * 64
    for entry in Entry.objects.order_by("seq").filter(seq__lte=2):
        entry.prev_hash, entry.scheme = prev, UNKEYED
        entry.hash = entry.compute_hash(b"")
        raw(
            "UPDATE audit_entry SET prev_hash = %s, hash = %s, scheme = %s WHERE seq = %s",
            [entry.prev_hash, entry.hash, entry.scheme, entry.seq],
        )
        prev = entry.hash
    third = Entry.objects.get(seq=3)
    third.prev_hash = prev
    from django.conf import settings

    raw(
        "UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE seq = 3",
        [prev, third.compute_hash(settings.AUDIT_KEY)],
    )
    assert verify_chain().ok


def test_a_tail_cut_off_is_found_against_the_exported_head(db: None, tmp_path: Path) -> None:
    from safeplan.web.audit.trail import export_head, verify_chain

    heads = tmp_path / "audit-heads.jsonl"
    three_entries()
    assert export_head(heads)[0] == 3
    assert verify_chain(heads).ok
    raw("DELETE FROM audit_entry WHERE seq = %s", [3])  # the newest entry gone: a shorter chain
    result = verify_chain(heads)
    assert not result.ok and "cut short" in result.problem and result.seq == 3
    assert oct(heads.stat().st_mode & 0o777) == "0o600"


def test_audit_verify_from_the_command_line(db: None, tmp_path: Path) -> None:
    from tests.test_cli import run

    three_entries()
    heads = tmp_path / "heads.jsonl"
    code, out, _ = run("audit", "verify", "--heads", str(heads))
    assert code == 0 and "3 entries, none changed" in out
    raw("UPDATE audit_entry SET target = %s WHERE seq = %s", ["alice", 2])
    code, _, err = run("audit", "verify", "--heads", str(heads))
    assert code == 1 and "entry 2 was changed after it was recorded" in err


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
