"""The dashboard's figures, every one from the analytics events (plus current state that is not an event: places
taken per slot, callbacks still pending). Each chart is drawn from one table; the same table is the chart's
accessible alternative and its CSV export, so what a leader sees, reads and downloads is one set of numbers."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from court_common.analytics import DASHBOARD_CHANNELS, OUTCOME_NAMES, channel_of
from service_center.analytics.models import AnalyticsEvent
from service_center.analytics.service import court_tz
from service_center.booking.calendar import get_calendar
from service_center.booking.models import SlotCounter
from service_center.hotline.models import HotlineCallback
from service_center.kb.models import KbUnanswered
from service_center.risk.engine import DISPUTE_TYPES

TURN_OUTCOMES = ["answered", "clarified", "unanswered", "handoff", "out_of_scope", "other"]
LEVELS = ["低", "中", "高"]


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]  # machine names (CSV header)
    labels: list[str]  # Chinese headers shown on the page
    rows: list[list] = field(default_factory=list)

    def view(self) -> dict:
        return {"id": self.id, "title": self.title, "columns": self.columns, "labels": self.labels, "rows": self.rows}


@dataclass(frozen=True)
class Filter:
    since: dt.date
    until: dt.date
    channel: str | None = None

    def days(self) -> list[dt.date]:
        return [self.since + dt.timedelta(days=i) for i in range((self.until - self.since).days + 1)]


def _events(session: Session, f: Filter, kinds: list[str], by_channel: bool = True) -> list[AnalyticsEvent]:
    query = select(AnalyticsEvent).where(AnalyticsEvent.kind.in_(kinds), AnalyticsEvent.day >= f.since,
                                         AnalyticsEvent.day <= f.until)
    if by_channel and f.channel:
        query = query.where(AnalyticsEvent.channel == f.channel)
    return list(session.scalars(query))


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def summary(session: Session, f: Filter) -> dict:
    """The headline counts (GET /api/staff/dashboard/summary): the same numbers as the charts' tables."""
    counts = Counter((e.kind, e.outcome) for e in _events(session, f, [
        "conversation", "turn", "feedback", "booking", "risk_assessment", "risk_booking", "review"]))
    hotline = Counter((e.kind, e.outcome) for e in _events(session, f, ["conversation", "hotline_transfer",
                                                                         "callback"], by_channel=False)
                      if e.channel == "hotline")
    turns = sum(n for (kind, _), n in counts.items() if kind == "turn")
    helpful, unhelpful = counts[("feedback", "helpful")], counts[("feedback", "unhelpful")]
    return {
        "since": f.since.isoformat(), "until": f.until.isoformat(), "channel": f.channel,
        "conversations": counts[("conversation", "started")],
        "turns": turns,
        "answered": counts[("turn", "answered")],
        "clarified": counts[("turn", "clarified")],
        "unanswered": counts[("turn", "unanswered")],
        "handoffs": counts[("turn", "handoff")],
        "out_of_scope": counts[("turn", "out_of_scope")],
        "unanswered_rate": rate(counts[("turn", "unanswered")], turns),
        "feedback_helpful": helpful,
        "feedback_unhelpful": unhelpful,
        "satisfaction": rate(helpful, helpful + unhelpful),
        "bookings": counts[("booking", "created")],
        "bookings_cancelled": counts[("booking", "cancelled")],
        "no_shows": counts[("booking", "no_show")],
        "risk_assessments": sum(n for (kind, _), n in counts.items() if kind == "risk_assessment"),
        "risk_led_to_booking": counts[("risk_booking", "booked")],
        "hotline_calls": hotline[("conversation", "started")],
        "hotline_transfers": hotline[("hotline_transfer", "dialled")],
        "callbacks_requested": hotline[("callback", "requested")],
        "callbacks_pending": pending_callbacks(session),
        "questions_reviewed": sum(n for (kind, _), n in counts.items() if kind == "review"),
    }


def pending_callbacks(session: Session) -> int:
    return session.scalar(select(func.count(HotlineCallback.id)).where(HotlineCallback.status == "pending")) or 0


def tables(session: Session, f: Filter, entry_titles: dict[str, str]) -> list[Table]:
    events = _events(session, f, ["conversation", "turn", "feedback", "booking", "risk_assessment", "risk_booking",
                                  "review"])
    hotline_events = [e for e in _events(session, f, ["conversation", "hotline_transfer", "callback"],
                                         by_channel=False) if e.channel == "hotline"]
    return [
        _conversations_by_day(events, f), _turns_by_hour(events), _outcomes_by_day(events, f),
        _satisfaction_by_day(events, f), _top_entries(events, entry_titles), _negative_entries(events, entry_titles),
        _top_unanswered(session, f),
        _bookings_by_day(events, f), _booking_rates(session, events, f), _risk(events), _hotline_by_day(
            hotline_events, f), _callback_ages(session), _review_by_day(events, f),
    ]


def _channels(events: list[AnalyticsEvent]) -> list[str]:
    seen = {e.channel for e in events}
    return [c for c in DASHBOARD_CHANNELS if c in seen] + sorted(seen - set(DASHBOARD_CHANNELS))


def _conversations_by_day(events, f: Filter) -> Table:
    channels = _channels([e for e in events if e.kind in ("conversation", "turn")]) or ["web"]
    conversations = Counter((e.day, e.channel) for e in events if e.kind == "conversation")
    turns = Counter((e.day, e.channel) for e in events if e.kind == "turn")
    table = Table("conversations_by_day", "每日会话与对话轮次（按渠道）",
                  ["day"] + [f"conversations_{c}" for c in channels] + [f"turns_{c}" for c in channels],
                  ["日期"] + [f"会话·{DASHBOARD_CHANNELS.get(c, c)}" for c in channels]
                  + [f"轮次·{DASHBOARD_CHANNELS.get(c, c)}" for c in channels])
    for day in f.days():
        table.rows.append([day.isoformat()] + [conversations[(day, c)] for c in channels]
                          + [turns[(day, c)] for c in channels])
    return table


def _turns_by_hour(events) -> Table:
    turns = [e for e in events if e.kind == "turn"]
    channels = _channels(turns) or ["web"]
    counts = Counter((e.hour, e.channel) for e in turns)
    table = Table("turns_by_hour", "各时段对话轮次（按渠道）", ["hour", *channels],
                  ["时段"] + [DASHBOARD_CHANNELS.get(c, c) for c in channels])
    for hour in range(24):
        table.rows.append([f"{hour:02d}:00"] + [counts[(hour, c)] for c in channels])
    return table


def _outcomes_by_day(events, f: Filter) -> Table:
    counts = Counter((e.day, e.outcome) for e in events if e.kind == "turn")
    table = Table("outcomes_by_day", "每日对话结果与未解答率", ["day", *TURN_OUTCOMES, "unanswered_rate"],
                  ["日期"] + [OUTCOME_NAMES[o] for o in TURN_OUTCOMES] + ["未解答率"])
    for day in f.days():
        row = [counts[(day, o)] for o in TURN_OUTCOMES]
        table.rows.append([day.isoformat(), *row, rate(counts[(day, "unanswered")], sum(row))])
    return table


def _satisfaction_by_day(events, f: Filter) -> Table:
    counts = Counter((e.day, e.outcome) for e in events if e.kind == "feedback")
    table = Table("satisfaction_by_day", "答复评价（有帮助/没帮助）", ["day", "helpful", "unhelpful", "satisfaction"],
                  ["日期", "有帮助", "没帮助", "满意率"])
    for day in f.days():
        good, bad = counts[(day, "helpful")], counts[(day, "unhelpful")]
        table.rows.append([day.isoformat(), good, bad, rate(good, good + bad)])
    return table


def _top_entries(events, titles: dict[str, str]) -> Table:
    counts = Counter(e.entry_id for e in events if e.kind == "turn" and e.outcome == "answered" and e.entry_id)
    table = Table("top_entries", "解答最多的指南条目", ["entry_id", "title", "answered"], ["条目", "标题", "解答次数"])
    table.rows = [[entry, titles.get(entry, entry), n] for entry, n in counts.most_common(15)]
    return table


def _negative_entries(events, titles: dict[str, str]) -> Table:
    counts: dict[str, Counter] = defaultdict(Counter)
    for e in events:
        if e.kind == "feedback" and e.entry_id:
            counts[e.entry_id][e.outcome] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1]["unhelpful"], item[0]))
    table = Table("negative_entries", "“没帮助”最多的指南条目", ["entry_id", "title", "unhelpful", "helpful"],
                  ["条目", "标题", "没帮助", "有帮助"])
    table.rows = [[entry, titles.get(entry, entry), c["unhelpful"], c["helpful"]]
                  for entry, c in ranked[:15] if c["unhelpful"]]
    return table


def _top_unanswered(session: Session, f: Filter) -> Table:
    """The questions the guide could not answer in the period, grouped by similarity (stored masked)."""
    from service_center.guide_review.service import group_items

    tz = court_tz()
    start = dt.datetime.combine(f.since, dt.time(), tz).astimezone(dt.UTC).replace(tzinfo=None)
    end = dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC).replace(tzinfo=None)
    rows = session.scalars(select(KbUnanswered).where(KbUnanswered.created_at >= start, KbUnanswered.created_at < end)
                           .order_by(KbUnanswered.id.desc()).limit(2000))
    items = [{"source": "unanswered", "id": r.id, "question": r.question, "entry": None, "at": r.created_at}
             for r in rows if r.question.strip() and (not f.channel or channel_of(r.channel) == f.channel)]
    table = Table("top_unanswered", "未能解答最多的问题（相似问题合并）", ["question", "times"],
                  ["问题（已脱敏）", "次数"])
    table.rows = [[g.question, g.count] for g in group_items(items)[:15]]
    return table


def _bookings_by_day(events, f: Filter) -> Table:
    calendar = get_calendar()
    services = list(calendar.services)
    counts = Counter((e.day, e.entry_id) for e in events if e.kind == "booking" and e.outcome == "created")
    table = Table("bookings_by_day", "每日新增预约（按服务）", ["day", *services],
                  ["日期"] + [calendar.services[s].name for s in services])
    for day in f.days():
        table.rows.append([day.isoformat()] + [counts[(day, s)] for s in services])
    return table


def _booking_rates(session: Session, events, f: Filter) -> Table:
    calendar = get_calendar()
    by_service: dict[str, Counter] = defaultdict(Counter)
    lead: dict[str, list[float]] = defaultdict(list)
    for e in events:
        if e.kind == "booking" and e.entry_id:
            by_service[e.entry_id][e.outcome] += 1
            if e.outcome == "created" and e.value is not None:
                lead[e.entry_id].append(e.value)
    taken = dict(session.execute(
        select(SlotCounter.service, func.sum(SlotCounter.booked)).where(
            SlotCounter.slot_start >= dt.datetime.combine(f.since, dt.time()),
            SlotCounter.slot_start < dt.datetime.combine(f.until + dt.timedelta(days=1), dt.time()))
        .group_by(SlotCounter.service)).all())
    table = Table("booking_rates", "预约：取消率、未到率、提前天数、号源使用率",
                  ["service", "created", "cancelled", "checked_in", "no_show", "cancel_rate", "no_show_rate",
                   "mean_lead_days", "places_taken", "capacity", "capacity_used"],
                  ["服务", "新增", "取消", "签到", "未到", "取消率", "未到率", "平均提前天数", "已约号源（按预约日期）",
                   "号源总数", "号源使用率"])
    open_days = [d for d in f.days() if calendar.closed_reason(d) is None]
    for code, info in calendar.services.items():
        c = by_service[code]
        capacity = sum(len(calendar.slot_starts(code, d)) for d in open_days) * info.capacity
        places = int(taken.get(code) or 0)
        mean_lead = round(sum(lead[code]) / len(lead[code]), 1) if lead[code] else None
        attended = c["checked_in"] + c["no_show"]
        table.rows.append([info.name, c["created"], c["cancelled"], c["checked_in"], c["no_show"],
                           rate(c["cancelled"], c["created"]), rate(c["no_show"], attended), mean_lead, places,
                           capacity, rate(places, capacity)])
    return table


def _risk(events) -> Table:
    """Self-tests by dispute type and level, and how many led to a booking in the same conversation (counted on
    the booking's day, so a range can show a booking whose self-test came just before it)."""
    counts = Counter((e.entry_id or "other", e.outcome) for e in events if e.kind in ("risk_assessment",
                                                                                        "risk_booking"))
    types = sorted({t for t, _ in counts}, key=lambda t: -sum(counts[(t, lv)] for lv in LEVELS))
    table = Table("risk_by_type", "风险自测：纠纷类型、风险等级与后续预约",
                  ["dispute_type", "low", "medium", "high", "total", "led_to_booking"],
                  ["纠纷类型", "低", "中", "高", "合计", "其后预约"])
    for t in types:
        row = [counts[(t, lv)] for lv in LEVELS]
        table.rows.append([DISPUTE_TYPES.get(t, t), *row, sum(row), counts[(t, "booked")]])
    return table


def _hotline_by_day(events, f: Filter) -> Table:
    counts = Counter((e.day, e.kind, e.outcome) for e in events)
    columns = [("conversation", "started", "calls", "来电"), ("hotline_transfer", "dialled", "transfers", "转人工"),
               ("hotline_transfer", "answered", "transfers_answered", "人工接通"),
               ("hotline_transfer", "failed", "transfers_failed", "人工未接通"),
               ("hotline_transfer", "no_human", "no_human", "无人值守时段"),
               ("callback", "requested", "callbacks_requested", "登记回电"),
               ("callback", "done", "callbacks_done", "已回电")]
    table = Table("hotline_by_day", "12368热线：来电、转人工、回电", ["day"] + [c[2] for c in columns],
                  ["日期"] + [c[3] for c in columns])
    for day in f.days():
        table.rows.append([day.isoformat()] + [counts[(day, kind, outcome)] for kind, outcome, _, _ in columns])
    return table


AGE_BUCKETS = [(4, "4小时内"), (24, "4-24小时"), (72, "1-3天"), (None, "3天以上")]


def _callback_ages(session: Session) -> Table:
    now = dt.datetime.now(dt.UTC)
    buckets = Counter()
    for created in session.scalars(select(HotlineCallback.created_at).where(HotlineCallback.status == "pending")):
        age = (now - (created if created.tzinfo else created.replace(tzinfo=dt.UTC))).total_seconds() / 3600
        label = next(name for limit, name in AGE_BUCKETS if limit is None or age < limit)
        buckets[label] += 1
    table = Table("callbacks_pending", "待回电登记（按等待时长，当前）", ["waiting", "pending"], ["等待时长", "待回电"])
    table.rows = [[name, buckets[name]] for _, name in AGE_BUCKETS]
    return table


def _review_by_day(events, f: Filter) -> Table:
    counts = Counter((e.day, e.outcome) for e in events if e.kind == "review")
    turns = Counter((e.day, e.outcome) for e in events if e.kind == "turn")
    table = Table("review_by_day", "未答问题处理（指南编辑）与未解答率",
                  ["day", "attached", "needs_entry", "dismissed", "unanswered_rate"],
                  ["日期", "并入已有条目", "需新增条目", "不予处理", "未解答率"])
    for day in f.days():
        total = sum(turns[(day, o)] for o in TURN_OUTCOMES)
        table.rows.append([day.isoformat(), counts[(day, "attached")], counts[(day, "needs_entry")],
                           counts[(day, "dismissed")], rate(turns[(day, "unanswered")], total)])
    return table


def today() -> dt.date:
    return dt.datetime.now(court_tz()).date()
