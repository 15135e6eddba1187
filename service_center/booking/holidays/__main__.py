"""Enter the year's holiday arrangement from a data file, and the checks around it.

    python -m service_center.booking.holidays validate knowledge_base/holidays/2027.yml
    python -m service_center.booking.holidays load knowledge_base/holidays/2027.yml --by 张三
    python -m service_center.booking.holidays draft 2028 > knowledge_base/holidays/2028.yml
    python -m service_center.booking.holidays status
    python -m service_center.booking.holidays reconcile --by 张三    # e.g. after upgrading chinesecalendar

`load` validates, saves (audited under --by), then lists every upcoming booking the arrangement puts on a day the
court is closed — each is marked and its litigant sent an SMS offering to rebook. Exit status 1: the file is
invalid (nothing saved); 2: wrong use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from service_center.booking.holidays.arrangement import ArrangementFile, ArrangementIn, problems, warnings
from service_center.booking.holidays.statutory import statutory_holidays
from service_center.privacy import mask_name, mask_phone


def read(path: Path) -> ArrangementFile:
    """The file as an arrangement; SystemExit(1) with every problem listed if it is not one."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        sys.exit(_fail(path, [f"无法读取：{exc}"]))
    if not isinstance(data, dict):
        sys.exit(_fail(path, ["文件内容应当是 year、source_title、source_date、holidays、workdays 等字段"]))
    try:
        return ArrangementFile.model_validate(data)
    except ValidationError as exc:
        sys.exit(_fail(path, [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]))


def _fail(path: Path, found: list[str]) -> int:
    print(f"{path}: {len(found)}处问题，没有保存：", file=sys.stderr)
    for line in found:
        print(f"  - {line}", file=sys.stderr)
    return 1


def _content(parsed: ArrangementFile) -> ArrangementIn:
    return ArrangementIn.model_validate(parsed.model_dump(by_alias=True, exclude={"year", "example"}))


def _check(path: Path, parsed: ArrangementFile, today) -> ArrangementIn:
    content = _content(parsed)
    found = problems(parsed.year, content, today)
    if found:
        sys.exit(_fail(path, found))
    for line in warnings(parsed.year, content):
        print(f"注意：{line}")
    return content


def _summary(parsed: ArrangementFile) -> str:
    holidays = sum(len(s.days()) for s in parsed.holidays)
    workdays = sum(len(s.days()) for s in parsed.workdays)
    return (f"{parsed.year}年：放假{holidays}天、调休上班{workdays}天；"
            f"依据：{parsed.source_title}（{parsed.source_date}）")


def _booking_line(appointment) -> str:
    from service_center.booking.calendar import get_calendar, slot_label

    start = slot_label(appointment.slot_start.replace(tzinfo=get_calendar().tz))
    return (f"  {appointment.reference}  {start}  {appointment.service}  {mask_name(appointment.name)}  "
            f"{mask_phone(appointment.phone)}")


def _report(reconciled) -> None:
    print(f"受影响的预约（当天不办公，已标记并短信通知改约）：{len(reconciled.flagged)}个")
    for appointment in reconciled.flagged:
        print(_booking_line(appointment))
    if reconciled.restored:
        print(f"恢复正常的预约（当天重新办公，已短信告知原预约有效）：{len(reconciled.restored)}个")
        for appointment in reconciled.restored:
            print(_booking_line(appointment))
    if reconciled.messages:
        states = {}
        for message in reconciled.messages:
            states[message.status] = states.get(message.status, 0) + 1
        print("短信：" + "，".join(f"{k} {v}条" for k, v in sorted(states.items())) + "（outbox 见 /api/staff/outbox）")


def draft(year: int) -> str:
    """A starting file for `year` with the statutory days computed; the 调休 comes from the notice."""
    lines = [f"# {year}年节假日安排 —— 草稿：只有按《全国年节及纪念日放假办法》推算的法定假日，",
             "# 请按国务院办公厅的通知补全放假区间（含周末）和调休上班日，填写通知标题和发布日期后再 load。",
             f"year: {year}",
             f'source_title: ""  # 必填：通知标题，如“国务院办公厅关于{year}年部分节假日安排的通知”',
             "source_date:  # 必填：通知的发布日期，YYYY-MM-DD",
             "holidays:"]
    spans: list[tuple[str, list]] = []
    for day, name in statutory_holidays(year).items():
        if spans and spans[-1][0] == name and (day - spans[-1][1][-1]).days == 1:
            spans[-1][1].append(day)
        else:
            spans.append((name, [day]))
    for name, days in spans:
        lines.append(f"  - {{name: {name}, from: {days[0]}, to: {days[-1]}}}")
    lines += ["workdays: []  # 调休上班日，例如 - {name: 春节, day: YYYY-MM-DD}（须是周六或周日）", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service_center.booking.holidays", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="check a file, save nothing").add_argument("file", type=Path)
    load = commands.add_parser("load", help="check a file and enter it as that year's arrangement")
    load.add_argument("file", type=Path)
    load.add_argument("--by", required=True, help="who enters it (kept in the audit)")
    load.add_argument("--allow-example", action="store_true", help="tests only: load a file marked example")
    commands.add_parser("draft", help="print a draft file with the statutory days").add_argument("year", type=int)
    commands.add_parser("status", help="years within the booking horizon and their source")
    again = commands.add_parser("reconcile", help="check upcoming bookings against the calendar now")
    again.add_argument("--by", required=True)
    args = parser.parse_args(argv)
    if getattr(args, "by", None) is not None and not args.by.strip():
        parser.error("--by: 请写明录入人的姓名（记入审计）")

    if args.command == "draft":
        print(draft(args.year), end="")
        return 0

    from service_center.booking.calendar import court_now
    from service_center.booking.holidays import affected, service
    from service_center.db import get_sessionmaker

    now = court_now()
    if args.command == "status":
        state = service.coverage(now)
        for year in state["years"]:
            print(f"{year['year']}: {year['source']}" + (f"（{year['source_title']}）" if year["source_title"] else ""))
        print(state["warning"] or f"预约期限内（至{state['horizon_end']}）的年份都有正式的节假日安排。")
        return 0
    if args.command == "reconcile":
        with get_sessionmaker()() as session:
            _report(affected.reconcile(session, args.by, now))
        return 0

    parsed = read(args.file)
    content = _check(args.file, parsed, now.date())
    example = f"{args.file} 标记为示例（example: true），不是正式安排，不能录入。" if parsed.example else ""
    if args.command == "validate":
        print(f"格式和规则检查通过。{_summary(parsed)}" + (f"\n{example}" if example else ""))
        return 0
    if example and not args.allow_example:
        print(example, file=sys.stderr)
        return 1
    with get_sessionmaker()() as session:
        entered = service.enter(session, parsed.year, content, args.by, f"file:{args.file.name}", now)
        print(f"已录入。{_summary(parsed)}；录入人：{args.by}")
        _report(entered.reconciled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
