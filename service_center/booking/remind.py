"""Day-before reminders (SMS, and WeChat 订阅消息 for mini-program users who subscribed): `make remind` (or
`python -m service_center.booking.remind`), meant to run once a day from cron or a systemd timer, e.g. at 17:00
court time. Safe to run more than once: each appointment is claimed (reminder_sent_at) before its message is sent.
`--now 2026-12-08T17:00` (court time) runs it as of another moment: a catch-up run after an outage, or tests."""

import argparse
import datetime as dt
import logging

from service_center.booking.calendar import get_calendar
from service_center.booking.service import send_reminders
from service_center.db import get_sessionmaker
from service_center.notifications.service import drain


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--now", type=dt.datetime.fromisoformat, default=None,
                        help="run as of this court-local time (ISO, e.g. 2026-12-08T17:00)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from service_center.privacy import install_log_masking

    install_log_masking()
    now = get_calendar().local(args.now) if args.now else None
    with get_sessionmaker()() as session:
        count = send_reminders(session, now=now)
    drain()  # the background sender hands every message to Twilio before the command exits
    print(f"reminders sent or queued: {count}")


if __name__ == "__main__":
    main()
