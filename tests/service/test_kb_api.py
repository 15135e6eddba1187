"""The guide API: search, entries, basis, pages, feedback, unanswered, staff review and reload."""

import shutil
import threading

import pytest

from service_center.config import Settings
from service_center.kb.service import GuideHolder
from tests.service.kb_support import FIXTURE_GUIDE


def test_search_answers_with_contract_shape(client):
    response = client.get("/api/kb/search", params={"q": "不服判决多少天内可以上诉", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] in ("answer", "clarify")
    assert body["results"][0]["id"] == "appeal-period"
    assert set(body["results"][0]) == {"id", "title", "category", "score", "short_answer"}
    assert body["threshold"]["calibrated"] is True and "reject_below" in body["threshold"]


def test_search_rejects_out_of_scope(client):
    assert client.get("/api/kb/search", params={"q": "今天天气怎么样"}).json()["decision"] == "reject"


@pytest.mark.parametrize(("question", "body_named"), [("领结婚证的话 户口本要带上吗", "民政"),
                                                      ("孩子的身份证丢了上哪补办", "公安")])
def test_a_question_for_another_authority_is_rejected_with_who_handles_it(client, question, body_named):
    body = client.get("/api/kb/search", params={"q": question}).json()
    assert body["decision"] == "reject"
    assert body["out_of_scope"]["id"].startswith("oos-") and body_named in body["out_of_scope"]["redirect"]


def test_an_out_of_scope_question_after_a_guide_topic_is_not_taken_for_a_follow_up(client):
    body = client.get("/api/kb/search", params={"q": "领结婚证要带啥", "context": "fee-appeal"}).json()
    assert body["decision"] == "reject" and "民政" in body["out_of_scope"]["redirect"]


@pytest.mark.parametrize("noise", ["？？？", "嗯", "。。。"])
def test_noise_after_a_guide_topic_is_not_answered_from_that_topic(client, noise):
    body = client.get("/api/kb/search", params={"q": noise, "context": "fee-how-computed"}).json()
    assert not body["context_used"] and body["decision"] != "answer"


def test_search_follow_up_with_context(client):
    body = client.get("/api/kb/search", params={"q": "那要交多少钱", "context": "divorce-suit"}).json()
    assert body["context_used"] and body["results"][0]["id"] == "fee-non-property"


@pytest.mark.parametrize(("params", "fragment"), [
    ({"q": ""}, "请输入"),
    ({"q": "   "}, "请输入"),
    ({"q": "问" * 501}, "500"),
    ({"q": "上诉", "k": 0}, "k"),
    ({"q": "上诉", "k": 11}, "k"),
    ({"q": "上诉", "k": "三"}, "请求参数不正确"),
])
def test_bad_search_input_is_a_polite_422(client, params, fragment):
    response = client.get("/api/kb/search", params=params)
    assert response.status_code == 422
    assert fragment in response.json()["error"]["message"]


def test_entry_has_rendered_details_basis_and_url(client):
    body = client.get("/api/kb/entries/filing-conditions").json()
    assert body["id"] == "filing-conditions" and "{court." not in body["details"]
    assert body["url"].endswith("/guide/filing-conditions")
    first = body["basis"][0]
    assert first["law"] == "民事诉讼法" and first["article"] == "第一百二十二条"
    assert first["text"].startswith("起诉必须符合下列条件")
    assert all({"id", "title"} <= set(r) for r in body["related"])


def test_unknown_entry_is_404_in_chinese(client):
    response = client.get("/api/kb/entries/no-such-entry")
    assert response.status_code == 404 and "没有找到" in response.json()["error"]["message"]


def test_basis_lookup(client):
    body = client.get("/api/kb/basis", params={"law": "民事诉讼法", "article": "第一百七十一条"}).json()
    assert "十五日" in body["text"] and body["source"]["file"]
    assert client.get("/api/kb/basis", params={"law": "民事诉讼法", "article": "第九千条"}).status_code == 404
    assert client.get("/api/kb/basis", params={"law": "", "article": ""}).status_code == 422


def test_guide_pages_are_html_and_escaped(client):
    page = client.get("/guide/appeal-period")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>" in page.text and "法律依据" in page.text and "{court." not in page.text
    index = client.get("/guide")
    assert index.status_code == 200 and 'href="/guide/appeal-period"' in index.text
    missing = client.get("/guide/<script>")
    assert missing.status_code == 404 and "<script>" not in missing.text


def test_markdown_subset_escapes_html():
    from service_center.kb.router import markdown_html

    html = str(markdown_html("**注意** <b>x</b>\n- 一\n- 二\n\n1. 甲"))
    assert "<strong>注意</strong>" in html and "&lt;b&gt;" in html
    assert "<ul><li>一</li><li>二</li></ul>" in html and "<ol><li>甲</li></ol>" in html


def test_feedback_and_unanswered_are_stored_masked_and_listed_for_staff(client, staff_headers):
    ok = client.post("/api/kb/feedback", json={"entry_id": "appeal-period", "question": "上诉期多久 我电话13812345678",
                                               "helpful": False, "channel": "rest"})
    assert ok.status_code == 201 and ok.json()["stored"]
    assert client.post("/api/kb/feedback", json={"entry_id": "nope", "helpful": True}).status_code == 404
    assert client.post("/api/kb/feedback", json={"entry_id": "appeal-period"}).status_code == 422
    stored = client.post("/api/kb/unanswered", json={"question": "我家狗走丢了 法院管吗", "channel": "wechat",
                                                     "reason": "rejected"})
    assert stored.status_code == 201
    assert client.post("/api/kb/unanswered", json={"question": ""}).status_code == 422
    assert client.get("/api/staff/kb/unanswered").status_code == 401
    review = client.get("/api/staff/kb/unanswered", headers=staff_headers).json()
    assert review["unanswered"][0]["question"] == "我家狗走丢了 法院管吗"
    assert review["unanswered"][0]["reason"] == "rejected"
    negative = review["negative_feedback"][0]
    assert negative["entry_id"] == "appeal-period" and "13812345678" not in negative["question"]
    assert "138****5678" in negative["question"]


def test_staff_reload_needs_token_and_reports_the_manifest(client, staff_headers):
    assert client.post("/api/staff/kb/reload").status_code == 401
    body = client.post("/api/staff/kb/reload", headers=staff_headers).json()
    assert body["status"] == "reloaded" and body["manifest"]["entries"] >= 100
    assert client.get("/api/kb/search", params={"q": "上诉期限"}).status_code == 200


def test_reload_swaps_in_a_new_guide_without_downtime(tmp_path):
    guide = tmp_path / "guide"
    shutil.copytree(FIXTURE_GUIDE, guide)
    settings = Settings(kb_guide_dir=guide, kb_index_dir=tmp_path / "index",
                        kb_thresholds_path=tmp_path / "none.yml")
    holder = GuideHolder(settings)
    before = holder.get()
    assert before.searcher.search("上诉期是几天").top.id == "sample-appeal"

    extra = (FIXTURE_GUIDE / "sample.yml").read_text(encoding="utf-8").split("- id: sample-appeal")[0]
    extra = extra.replace("sample-fee", "sample-preservation").replace("诉讼费怎么算", "财产保全怎么申请")
    (guide / "sample.yml").write_text((guide / "sample.yml").read_text(encoding="utf-8")
                                      + extra.split("\n", 1)[1], encoding="utf-8")
    errors, stop = [], threading.Event()

    def keep_searching():
        while not stop.is_set():
            try:
                holder.get().searcher.search("诉讼费怎么算")
            except Exception as exc:  # any failure during the swap is the bug we look for
                errors.append(exc)

    searching = threading.Thread(target=keep_searching)
    searching.start()
    after = holder.reload()
    stop.set()
    searching.join()
    assert not errors
    assert after is not before and after.rebuilt
    assert holder.get() is after and "sample-preservation" in after.index.by_id
    assert "sample-preservation" not in before.index.by_id
