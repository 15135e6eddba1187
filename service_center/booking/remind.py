"""Day-before SMS reminders: `make remind` (or `python -m service_center.booking.remind`), meant to run once a
day from cron or a systemd timer, e.g. at 17:00 court time. Safe to run more than once: each appointment is
claimed (reminder_sent_at) before its message is sent."""

import logging

from service_center.booking.service import send_reminders
from service_center.db import get_sessionmaker
from service_center.notifications.service import drain


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from service_center.privacy import install_log_masking

    install_log_masking()
    with get_sessionmaker()() as session:
        count = send_reminders(session)
    drain()  # the background sender hands every message to Twilio before the command exits
    print(f"reminders sent or queued: {count}")


if __name__ == "__main__":
    main()
