"""The procedure guide in the conversation: questions, follow-ups, the legal basis, feedback, details by SMS.

Thin glue over the service center's [kb] API (GET /api/kb/search, /api/kb/entries/{id}, /api/kb/basis,
POST /api/kb/feedback, /api/kb/unanswered) and POST /api/notifications/sms. The slot guide_context keeps the
entry last answered, so follow-ups ("那要交多少钱", "依据是什么") are understood in context.
"""

import json
import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import service_api
from actions.identity import caller_phone, user_key
from actions.service_api import ServiceError, ServiceUnavailable

log = logging.getLogger(__name__)

HOTLINE_CHANNEL = "hotline_12368"
MAX_QUERY_CHARS = 200  # a search needs no more; very long input would only bloat the URL
MAX_DETAILS_CHARS = 400
MAX_SPOKEN_QUOTE_CHARS = 150
MAX_BASIS_SHOWN = 4
FEEDBACK_QUESTION = "这个回答对您有帮助吗？"
FEEDBACK_BUTTONS = [
    {"title": "有帮助", "payload": "/feedback_helpful"},
    {"title": "没帮助", "payload": "/feedback_unhelpful"},
]
SMS_BUTTON = {"title": "发短信给我", "payload": "/request_guide_sms"}
HANDOFF_BUTTON = {"title": "转人工", "payload": "/human_handoff"}
REPHRASE_BUTTON = {"title": "换个说法再问", "payload": "/ask_procedure"}

# What is left of a bare "I have a question" once the filler is gone: nothing to search for yet.
_GENERIC_WORDS = [
    "请问一下", "请问", "我想", "我要", "想要", "了解一下", "了解", "咨询一下", "咨询",
    "问一下", "问问", "问个", "问点", "一下", "有个", "有点", "问题", "事情", "法律",
    "法院的", "法院", "程序", "诉讼的", "诉讼", "打官司的", "打官司", "流程", "怎么",
    "能", "你", "我", "想", "要", "问", "个", "点", "的", "事", "吗", "呢", "啊", "吧",
    "那个", "嗯", "喂", "您好", "你好", "麻烦", "帮我",
]
_GENERIC_CUES = ("咨询", "问", "了解", "请教")
_PUNCTUATION = re.compile(r"[\s，。？！、,.?!~…：:；;“”\"']+")


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def _question(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def is_generic_request(text: str) -> bool:
    """True for "我想咨询个问题" or the menu button: the person has not asked anything yet."""
    if not text or text.startswith("/"):
        return True
    if not any(cue in text for cue in _GENERIC_CUES):
        return False
    rest = _PUNCTUATION.sub("", text)
    for word in _GENERIC_WORDS:
        rest = rest.replace(word, "")
    return len(rest) <= 1


_DIGITS = "零一二三四五六七八九"
_ORDINALS = {"1": 0, "一": 0, "头": 0, "2": 1, "二": 1, "两": 1, "3": 2, "三": 2}


def chosen_by_ordinal(text: str, choices: list | None) -> str | None:
    """"第二个" / "选2" / "最后一个" -> the entry offered in that place by the last "您想问的是哪一个？"."""
    if not choices:
        return None
    if "最后" in text:
        return choices[-1]
    for char in text:
        if char in _ORDINALS and _ORDINALS[char] < len(choices):
            return choices[_ORDINALS[char]]
    return None



def chinese_number(n: int) -> str:
    """122 -> 一百二十二, 10 -> 十, 15 -> 十五 (articles of Chinese laws go below 10,000)."""
    if n < 10:
        return _DIGITS[n]
    parts, units, zero = [], [(1000, "千"), (100, "百"), (10, "十")], False
    for value, unit in units:
        digit = n // value % 10
        if digit:
            if zero:
                parts.append("零")
                zero = False
            parts.append(("" if (unit == "十" and digit == 1 and not parts) else _DIGITS[digit]) + unit)
        elif parts:
            zero = True
    if n % 10:
        if zero:
            parts.append("零")
        parts.append(_DIGITS[n % 10])
    return "".join(parts)


def format_article(article: Any) -> str:
    text = str(article).strip()
    if text.isdigit():
        return f"第{chinese_number(int(text))}条"
    if text.startswith("第") or not text:
        return text
    return f"第{text}条" if re.fullmatch(r"[零一二三四五六七八九十百千]+", text) else text


def format_law(law: str) -> str:
    """民事诉讼法 -> 《民事诉讼法》; a title quoting another law nests it as 〈〉, as official citations do."""
    law = (law or "").strip()
    if law.startswith("《") and law.endswith("》"):
        return law
    return "《" + law.replace("《", "〈").replace("》", "〉") + "》"


def format_basis(basis: list[dict]) -> str:
    """[{law, article}, ...] -> 《民事诉讼法》第一百二十二条、第一百二十三条；《诉讼费用交纳办法》第十三条"""
    by_law: dict[str, list[str]] = {}
    for item in basis:
        if item.get("law"):
            by_law.setdefault(format_law(item["law"]), []).append(format_article(item.get("article", "")))
    return "；".join(law + "、".join(a for a in articles if a) for law, articles in by_law.items())


def details_text(details: Any) -> str:
    if isinstance(details, list):
        text = "\n".join(details_text(d) for d in details)
    elif isinstance(details, dict):
        text = "\n".join(f"{k}：{details_text(v)}" for k, v in details.items())
    else:
        text = str(details or "")
    return text.strip()


_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


def plain_text(markdown: str) -> str:
    """The guide's small Markdown as plain chat text: no ** marks, table rows as "a：b", no blank lines (the REST
    channel would split a message at each blank line)."""
    lines = []
    for raw in markdown.replace("**", "").splitlines():
        line = raw.strip()
        if not line or _TABLE_RULE.match(line):
            continue
        if line.startswith("|") and line.endswith("|"):
            line = "：".join(cell.strip() for cell in line.strip("|").split("|"))
        lines.append(line)
    return "\n".join(lines)


def trim(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    stop = max(cut.rfind("。"), cut.rfind("\n"), cut.rfind("；"))
    return (cut[: stop + 1] if stop > limit // 2 else cut) + "……"


def outcome(value: str) -> SlotSet:
    """answer | clarify | reject | basis | prompt | unavailable | in_form: rules branch on it.

    prompt -> ask for a question; in_form -> the active form resumes."""
    return SlotSet("guide_outcome", value)


def apologise_service_down(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(
        text="抱歉，程序咨询服务暂时连接不上，请稍后再试，或者转人工为您解答。", buttons=[HANDOFF_BUTTON]
    )


async def record_unanswered(question: str, channel: str, reason: str, top_entry_id: str | None = None) -> None:
    body = {"question": question[:500], "channel": channel, "reason": reason}
    if top_entry_id:
        body["top_entry_id"] = top_entry_id
    try:
        await service_api.post("/api/kb/unanswered", body)
    except (ServiceUnavailable, ServiceError) as exc:
        log.warning("could not record an unanswered question: %s", type(exc).__name__)


def say_who_handles_it(dispatcher: CollectingDispatcher, redirect: str) -> None:
    dispatcher.utter_message(
        text=f"这件事看起来不归法院诉讼服务管：{redirect}"
        "如果您问的是到法院打官司的事，可以换个说法再问，也可以转人工。"
    )


class ActionOutOfScope(Action):
    """Intent out_of_scope: the NLU is sure it is not a court matter. The guide's out-of-scope topics may still say
    who handles it (驾照 → 车管所); the guide never answers here, so an NLU slip cannot become a confident answer.
    The question is stored for the service center either way (it was not answered)."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        text = _question(tracker)
        redirect = None
        try:
            found = await service_api.get("/api/kb/search", q=text[:MAX_QUERY_CHARS], k=1)
            if found.get("decision") == "reject":
                redirect = (found.get("out_of_scope") or {}).get("redirect")
        except (ServiceUnavailable, ServiceError) as exc:  # the plain reply needs no service
            log.warning("out-of-scope topics unavailable: %s", type(exc).__name__)
        if redirect:
            say_who_handles_it(dispatcher, redirect)
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        dispatcher.utter_message(response="utter_menu")
        await record_unanswered(text, _channel(tracker), "out_of_scope" if redirect else "nlu_out_of_scope")
        return []


class ActionAnswerFromGuide(Action):
    """ask_procedure, nlu_fallback, choose_entry (a clarify button) and ask_basis ("依据是什么")."""

    def name(self) -> str:
        return "action_answer_from_guide"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        events = await self.respond(dispatcher, tracker)
        if tracker.active_loop_name:
            # inside a form the rules resume the form whatever happened here (bot/risk, bot/booking rules)
            events = [e for e in events if e.get("name") != "guide_outcome"] + [outcome("in_form")]
        return events

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = _question(tracker)
        context = tracker.get_slot("guide_context")
        choices = tracker.get_slot("guide_choices") or []
        if not context and tracker.get_slot("guide_outcome") == "clarify" and choices:
            # "那要交多少钱" instead of picking: it is about what was just asked, whose best match leads the choices
            context = choices[0]
        try:
            if intent == "choose_entry":
                entry_id = next(tracker.get_latest_entity_values("entry_id"), None) or chosen_by_ordinal(
                    text, tracker.get_slot("guide_choices")
                )
                if entry_id:
                    question = tracker.get_slot("guide_last_question") or text
                    return await self.answer(dispatcher, tracker, str(entry_id), question)
                if not text.startswith("/") and not is_generic_request(text) and len(text) > 6:
                    return await self.search(dispatcher, tracker, text, context)
                dispatcher.utter_message(text="请从刚才的选项里选一个，或者直接说出您的问题。")
                return [outcome("clarify")]
            if intent == "ask_basis":
                if context:
                    return await self.quote_basis(dispatcher, tracker, context)
                dispatcher.utter_message(text="请先告诉我您想问的是哪方面的问题，我再告诉您法律依据。")
                return [outcome("basis")]
            if is_generic_request(text):
                # nothing asked yet: the rules say what to say (utter_ask_procedure, or utter_default on a fallback)
                return [outcome("prompt")]
            return await self.search(dispatcher, tracker, text, context)
        except ServiceUnavailable:
            apologise_service_down(dispatcher)
            return [outcome("unavailable")]

    async def search(self, dispatcher, tracker, text: str, context: str | None) -> list:
        found = await service_api.get("/api/kb/search", q=text[:MAX_QUERY_CHARS], k=3, context=context)
        decision = found.get("decision")
        results = found.get("results") or []
        if decision == "answer" and results:
            return await self.answer(dispatcher, tracker, results[0]["id"], text, results[0])
        if decision == "clarify" and results and tracker.active_loop_name:
            # inside a form, choice buttons would be taken as the form's answer: ask the person to come back
            dispatcher.utter_message(text="这个问题涉及好几个方面，办完这一步后您可以接着问我，我再细说。")
            return self.back_to_form(dispatcher, None)
        if decision == "clarify" and results:
            dispatcher.utter_message(
                text="您想问的是哪一个？",
                buttons=[
                    {"title": r["title"], "payload": "/choose_entry" + json.dumps({"entry_id": r["id"]})}
                    for r in results[:3]
                ],
            )
            return [
                outcome("clarify"),
                SlotSet("guide_last_question", text[:500]),
                SlotSet("guide_choices", [r["id"] for r in results[:3]]),
                SlotSet("guide_feedback_entry", None),
            ]
        return await self.reject(dispatcher, tracker, text, results[0]["id"] if results else None,
                                 (found.get("out_of_scope") or {}).get("redirect"))

    async def reject(self, dispatcher, tracker, text: str, top_entry_id: str | None = None,
                     redirect: str | None = None) -> list:
        channel = _channel(tracker)
        if redirect:  # a known topic the court does not handle: say who does
            say_who_handles_it(dispatcher, redirect)
        else:
            dispatcher.utter_message(
                text="抱歉，这个问题我没能在诉讼服务指南里找到可靠的答案，不想随便回答误导您。"
                "您可以换个说法再问，比如说清楚是立案、交费、调解还是执行方面的事，也可以转人工。"
            )
        await record_unanswered(text, channel, "out_of_scope" if redirect else "rejected", top_entry_id)
        if tracker.active_loop_name:
            return self.back_to_form(dispatcher, None)
        dispatcher.utter_message(response="utter_menu")
        return [outcome("reject"), SlotSet("guide_feedback_entry", None)]

    @staticmethod
    def back_to_form(dispatcher: CollectingDispatcher, entry_id: str | None) -> list:
        """A question asked in the middle of a form: answered without feedback buttons, then the form goes on."""
        dispatcher.utter_message(text="我们接着刚才的问题。")
        events = [outcome("in_form"), SlotSet("guide_feedback_entry", None)]
        if entry_id:
            events.append(SlotSet("guide_context", entry_id))
        return events

    async def answer(self, dispatcher, tracker, entry_id: str, question: str, hit: dict | None = None) -> list:
        channel = _channel(tracker)
        try:
            entry = await service_api.get(f"/api/kb/entries/{entry_id}")
        except ServiceError:
            entry = None
        if not entry:
            if not hit:
                return await self.reject(dispatcher, tracker, question)
            entry = {"id": entry_id, "title": hit.get("title", ""), "short_answer": hit.get("short_answer", "")}
        short = entry.get("short_answer") or (hit or {}).get("short_answer") or entry.get("title", "")
        basis = [b for b in entry.get("basis") or [] if isinstance(b, dict)]
        url = entry.get("url") or ""

        in_form = bool(tracker.active_loop_name)
        if channel == HOTLINE_CHANNEL:
            spoken = short
            if basis:  # one short sentence: the main law and at most two of its articles
                main = [b for b in basis if b.get("law") == basis[0].get("law")][:2]
                spoken += f"依据是{format_basis(main)}。"
            dispatcher.utter_message(text=spoken)
            if in_form:
                return self.back_to_form(dispatcher, entry.get("id", entry_id))
            # No feedback question after each answer on the phone: it is asked once, before goodbye
            # (actions/repair.py ActionGoodbye), so "有帮助/没帮助" now is not feedback (issue 17).
            if caller_phone(tracker):
                dispatcher.utter_message(text="需要的话，我可以把详细说明发短信给您。还有别的问题，可以直接问我。",
                                         buttons=[SMS_BUTTON])
            else:
                dispatcher.utter_message(text="还有别的问题，可以直接问我。")
            return [
                outcome("answer"),
                SlotSet("guide_context", entry.get("id", entry_id)),
                SlotSet("guide_feedback_entry", None),
                SlotSet("guide_feedback_due", entry.get("id", entry_id)),
                SlotSet("guide_last_question", question[:500]),
            ]
        else:
            dispatcher.utter_message(text=short)
            more = []
            details = plain_text(details_text(entry.get("details")))
            if details:
                more.append(trim(details, MAX_DETAILS_CHARS))
            if basis:  # the card and the page carry every article; the chat line names the first few
                shown = format_basis(basis[:MAX_BASIS_SHOWN])
                more.append(f"依据：{shown}" + ("等" if len(basis) > MAX_BASIS_SHOWN else ""))
            if url:
                more.append(f"详细说明：{url}")
            if more:
                dispatcher.utter_message(text="\n".join(more))
            dispatcher.utter_message(
                json_message={
                    "type": "guide_answer",
                    "entry_id": entry.get("id", entry_id),
                    "title": entry.get("title", ""),
                    "url": url,
                    "basis": [{"law": b.get("law"), "article": b.get("article")} for b in basis],
                }
            )
            if in_form:
                return self.back_to_form(dispatcher, entry.get("id", entry_id))
            dispatcher.utter_message(text=FEEDBACK_QUESTION, buttons=FEEDBACK_BUTTONS)
        return [
            outcome("answer"),
            SlotSet("guide_context", entry.get("id", entry_id)),
            SlotSet("guide_feedback_entry", entry.get("id", entry_id)),
            SlotSet("guide_last_question", question[:500]),
        ]

    async def quote_basis(self, dispatcher, tracker, entry_id: str) -> list:
        phone = _channel(tracker) == HOTLINE_CHANNEL
        try:
            entry = await service_api.get(f"/api/kb/entries/{entry_id}")
        except ServiceError:
            entry = {}
        basis = [b for b in (entry or {}).get("basis") or [] if isinstance(b, dict) and b.get("law")]
        if not basis:
            dispatcher.utter_message(text="抱歉，这个问题的法律依据我暂时查不到，可以转人工为您确认。",
                                     buttons=[HANDOFF_BUTTON])
            return [outcome("basis")]
        quoted = 0
        for item in basis[: 1 if phone else 3]:
            name = format_law(item["law"]) + format_article(item.get("article", ""))
            text = item.get("text") or ""  # the entry may carry the verbatim article already
            if not text:
                try:
                    found = await service_api.get("/api/kb/basis", law=item["law"],
                                                  article=str(item.get("article", "")))
                    text = (found or {}).get("text") or ""
                except ServiceError:
                    text = ""
            if not text:
                dispatcher.utter_message(text=f"依据是{name}。")
                continue
            if phone:
                text = trim(text, MAX_SPOKEN_QUOTE_CHARS)
            dispatcher.utter_message(text=f"{name}规定：" + re.sub(r"\n\s*\n", "\n", text.strip()))
            quoted += 1
        if phone and len(basis) > 1:
            dispatcher.utter_message(text=f"另外还依据{format_basis(basis[1:])}。")
        if quoted and not phone and entry.get("url"):
            dispatcher.utter_message(text=f"完整说明：{entry['url']}")
        return [outcome("basis")]


class ActionGuideFeedback(Action):
    """有帮助 / 没帮助 after an answer: stored for the service center; a bad answer gets an apology and a way on."""

    def name(self) -> str:
        return "action_guide_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        entry_id = tracker.get_slot("guide_feedback_entry")
        if not entry_id:
            if intent in ("deny", "feedback_unhelpful"):
                dispatcher.utter_message(text="好的，您可以换个说法再问，或者转人工。",
                                         buttons=[REPHRASE_BUTTON, HANDOFF_BUTTON])
            else:
                dispatcher.utter_message(response="utter_anything_else")
            return []
        helpful = intent in ("feedback_helpful", "affirm")
        try:
            await service_api.post("/api/kb/feedback", {
                "entry_id": entry_id,
                "question": (tracker.get_slot("guide_last_question") or "")[:500],
                "helpful": helpful,
                "channel": _channel(tracker),
            })
        except (ServiceUnavailable, ServiceError) as exc:
            log.warning("could not store guide feedback: %s", type(exc).__name__)
        if _channel(tracker) == HOTLINE_CHANNEL and tracker.get_slot("feedback_asked"):
            # on the phone the question came with goodbye (actions/repair.py): thank, and end the call
            dispatcher.utter_message(text="谢谢您的评价，我们会继续改进。感谢您的来电，再见。")
        elif helpful:
            dispatcher.utter_message(text="谢谢您的反馈。还有别的问题吗？可以直接问我。")
        else:
            dispatcher.utter_message(
                text="抱歉没能帮到您，您的反馈已经记下，会有工作人员改进。您可以换个说法再问一次，或者转人工。",
                buttons=[REPHRASE_BUTTON, HANDOFF_BUTTON],
            )
        return [SlotSet("guide_feedback_entry", None)]


class ActionSendGuideSms(Action):
    """On the phone: send the details of the entry last answered to the caller's number."""

    def name(self) -> str:
        return "action_send_guide_sms"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        entry_id = tracker.get_slot("guide_context")
        phone = caller_phone(tracker)
        if not entry_id:
            # nothing answered yet: "能发到我手机上吗" is itself a question, so look it up
            text = _question(tracker)
            if text and not text.startswith("/") and not is_generic_request(text):
                try:
                    return await ActionAnswerFromGuide().search(dispatcher, tracker, text, None)
                except ServiceUnavailable:
                    apologise_service_down(dispatcher)
                    return []
            dispatcher.utter_message(text="请先告诉我您想咨询的问题，回答以后我可以把详细说明发短信给您。")
            return []
        if not phone:
            dispatcher.utter_message(
                text="抱歉，我这里拿不到您的手机号，没法发短信。详细说明可以在法院诉讼服务网上查看，也可以转人工。",
                buttons=[HANDOFF_BUTTON],
            )
            return []
        try:
            await service_api.post("/api/notifications/sms", {"to": phone, "kind": "guide_details", "ref": entry_id},
                                   headers={"X-Client-Key": user_key(tracker)})
        except ServiceError as exc:
            if exc.status == 429:
                dispatcher.utter_message(text="抱歉，短信发得太频繁了，请稍后再试。")
            else:
                dispatcher.utter_message(text="抱歉，短信暂时发不出去。您可以转人工，由工作人员为您说明。",
                                         buttons=[HANDOFF_BUTTON])
            return []
        except ServiceUnavailable:
            dispatcher.utter_message(text="抱歉，短信服务暂时连接不上，请稍后再试，或者转人工。",
                                     buttons=[HANDOFF_BUTTON])
            return []
        dispatcher.utter_message(text="好的，详细说明已经用短信发到您的手机上了。还有别的问题吗？")
        return []
