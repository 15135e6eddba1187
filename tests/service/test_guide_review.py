"""The unanswered-question loop: grouping, attach -> reload -> the question finds the entry, needs-entry with a note
(and its CSV), dismiss, role boundaries, and the audit naming the editor."""

import datetime as dt
import shutil

import pytest

from service_center.guide_review.service import group_items
from tests.service.conftest import ROOT, make_staff

QUESTION = "隔壁老王的狗把我咬了找谁"
ENTRY = "jurisdiction-tort"


def item(i, question, source="unanswered", entry=None):
    return {"source": source, "id": i, "question": question, "entry": entry, "at": dt.datetime(2026, 12, 1, 9, i)}


def test_similar_questions_form_one_group_led_by_the_commonest_wording():
    groups = group_items([item(1, "狗把我咬了找谁"), item(2, "隔壁的狗把我咬了找谁"), item(3, "狗把我咬了找谁"),
                          item(4, "法院食堂对外开放吗"), item(5, "狗把我咬了找谁赔", "feedback")])
    assert [(g.question, g.count) for g in groups] == [("狗把我咬了找谁", 4), ("法院食堂对外开放吗", 1)]
    assert groups[0].unanswered_ids == [1, 3, 2] and groups[0].feedback_ids == [5]


@pytest.fixture
def review_client(client, tmp_path, monkeypatch):
    """The app on a copy of the real guide index, so the reviewed index is built under tmp_path."""
    from service_center.config import get_settings

    shutil.copytree(ROOT / "knowledge_base" / "index", tmp_path / "index")
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "index"))
    get_settings.cache_clear()
    return client


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_attach_reload_and_the_question_now_gets_that_entry(review_client, tmp_path):
    c = review_client
    assert c.get("/api/kb/search", params={"q": QUESTION}).json()["decision"] == "reject"
    for text in (QUESTION, QUESTION, "隔壁老王家的狗把我咬了该找谁"):
        c.post("/api/kb/unanswered", json={"question": text, "channel": "socketio", "reason": "rejected"})
    c.post("/api/kb/unanswered", json={"question": "法院食堂对外开放吗，我电话13812345678", "channel": "rest"})
    editor = bearer(make_staff("editor", "guide_editor"))
    assert c.get("/api/staff/guide-review/groups", headers=bearer(make_staff("med", "mediator"))).status_code == 403
    body = c.get("/api/staff/guide-review/groups", headers=editor).json()
    dog, canteen = body["groups"]
    assert dog["question"] == QUESTION and dog["count"] == 3 and "13812345678" not in str(body)
    attached = c.post("/api/staff/guide-review/decisions", headers=editor, json={
        "action": "attach", "entry_id": ENTRY, "question": QUESTION, "unanswered_ids": dog["unanswered_ids"]})
    assert attached.status_code == 201 and attached.json()["reload_needed"] is True
    again = c.post("/api/staff/guide-review/decisions", headers=editor, json={
        "action": "dismiss", "unanswered_ids": dog["unanswered_ids"]})
    assert again.status_code == 422  # settled once only
    after = c.get("/api/staff/guide-review/groups", headers=editor).json()
    assert [g["question"] for g in after["groups"]] == [canteen["question"]] and after["pending_reload"] == 1
    reloaded = c.post("/api/staff/kb/reload", headers=editor)
    assert reloaded.status_code == 200 and (tmp_path / "index-reviewed" / "manifest.json").is_file()
    found = c.get("/api/kb/search", params={"q": QUESTION}).json()
    assert found["decision"] == "answer" and found["results"][0]["id"] == ENTRY
    assert c.get("/api/staff/guide-review/groups", headers=editor).json()["pending_reload"] == 0
    # the other group needs a new entry: a note is required, and the content team gets it as CSV
    no_note = c.post("/api/staff/guide-review/decisions", headers=editor, json={
        "action": "needs_entry", "unanswered_ids": canteen["unanswered_ids"]})
    assert no_note.status_code == 422
    assert c.post("/api/staff/guide-review/decisions", headers=editor, json={
        "action": "needs_entry", "note": "补充法院食堂、停车等后勤问答（以法院公告为准）",
        "unanswered_ids": canteen["unanswered_ids"]}).status_code == 201
    exported = c.get("/api/staff/guide-review/needs-entry.csv", headers=editor).text
    assert "法院食堂对外开放吗" in exported and "138****5678" in exported and "13812345678" not in exported
    trail = c.get("/api/staff/audit", params={"username": "editor"},
                  headers=bearer(make_staff("boss", "admin"))).json()["audit"]
    assert [(a["username"], a["role"], a["action"]) for a in trail[:2]] == [
        ("editor", "guide_editor", "review_needs_entry"), ("editor", "guide_editor", "review_attach")]


def test_attach_needs_a_real_entry(review_client):
    c = review_client
    stored = c.post("/api/kb/unanswered", json={"question": "某个问题", "channel": "rest"}).json()["id"]
    editor = bearer(make_staff("editor2", "guide_editor"))
    bad = c.post("/api/staff/guide-review/decisions", headers=editor, json={
        "action": "attach", "entry_id": "no-such-entry", "unanswered_ids": [stored]})
    assert bad.status_code == 422 and "没有这个指南条目" in bad.json()["error"]["message"]


def test_among_equally_frequent_groups_the_newest_comes_first():
    """The editor's list is cut at a limit: a question asked today must not sink below older one-off questions."""
    import datetime as dt

    from service_center.guide_review.service import group_items

    day = dt.datetime(2026, 12, 1, 9, 0)
    items = [{"id": i, "question": q, "source": "unanswered", "entry": None, "at": day + dt.timedelta(hours=i)}
             for i, q in enumerate(["asdfghjkl", "<script>alert(1)</script>", "隔壁老王的狗把我咬了找谁"])]
    items.append({**items[0], "id": 9, "at": day})  # asked twice: the commonest stays on top
    assert [g.question for g in group_items(items)] == ["asdfghjkl", "隔壁老王的狗把我咬了找谁",
                                                       "<script>alert(1)</script>"]
