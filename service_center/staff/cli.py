"""`make staff-user USERNAME=… ROLE=…`: create a staff account from the command line (the first 管理员 too).

The password comes from STAFF_PASSWORD or, when that is unset, a prompt (never a command-line argument, which
would end up in the shell history and the process list). `--token NAME` also prints a personal API token.
"""

import argparse
import getpass
import os
import sys

from service_center.db import get_sessionmaker
from service_center.staff import service as accounts
from service_center.staff.models import StaffUser
from service_center.staff.roles import ROLE_NAMES, Role


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create a staff account.")
    parser.add_argument("username")
    parser.add_argument("role", choices=[r.value for r in Role],
                        help="; ".join(f"{r.value}={ROLE_NAMES[r]}" for r in Role))
    parser.add_argument("--display-name", default=None, help="name shown in the console (default: username)")
    parser.add_argument("--token", metavar="NAME", default=None, help="also create a personal API token")
    args = parser.parse_args(argv)
    password = os.environ.get("STAFF_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            print("set STAFF_PASSWORD or run in a terminal to be asked for the password", file=sys.stderr)
            return 2
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            print("the two passwords differ", file=sys.stderr)
            return 2
    with get_sessionmaker()() as session:
        try:
            user = accounts.create_user(session, args.username, args.role, password, args.display_name)
        except accounts.AccountError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        print(f"created {user.username} ({ROLE_NAMES[Role(user.role)]})")
        if args.token:
            token, _row = accounts.create_token(session, session.get(StaffUser, user.id), args.token)
            print(f"token: {token}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
