"""The staff roles and what each may do. One table, read by the API dependencies and shown on the console.

A capability names a group of staff routes; a role holds a set of capabilities. 管理员 holds every one.
Bookings are further limited by service: a filing clerk works the filing windows, a mediator the mediation rooms.
"""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    filing_clerk = "filing_clerk"
    mediator = "mediator"
    hotline_agent = "hotline_agent"
    guide_editor = "guide_editor"
    leader = "leader"


ROLE_NAMES = {
    Role.admin: "管理员",
    Role.filing_clerk: "立案窗口",
    Role.mediator: "调解员",
    Role.hotline_agent: "热线坐席",
    Role.guide_editor: "指南编辑",
    Role.leader: "院领导（只读）",
}


class Capability(StrEnum):
    dashboard = "dashboard"  # the service-quality dashboard (figures only, no personal data)
    accounts = "accounts"  # create, disable, unlock accounts; read the staff audit log
    bookings = "bookings"  # the booking desk of the role's own services (names shown, phones masked)
    callbacks = "callbacks"  # the 12368 callback queue (full numbers: the agent has to call them)
    guide = "guide"  # unanswered questions, feedback, sample questions, guide and risk-rule reload
    outbox = "outbox"  # SMS outbox (message texts and masked numbers)


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.admin: frozenset(Capability),
    Role.filing_clerk: frozenset({Capability.dashboard, Capability.bookings}),
    Role.mediator: frozenset({Capability.dashboard, Capability.bookings}),
    Role.hotline_agent: frozenset({Capability.dashboard, Capability.callbacks}),
    Role.guide_editor: frozenset({Capability.dashboard, Capability.guide}),
    Role.leader: frozenset({Capability.dashboard}),
}

# Booking services each desk role works; None means every service.
BOOKING_SERVICES: dict[Role, frozenset[str] | None] = {
    Role.admin: None,
    Role.filing_clerk: frozenset({"filing", "cross_region_filing"}),
    Role.mediator: frozenset({"mediation", "judicial_confirmation"}),
}

CAPABILITY_NAMES = {
    Capability.dashboard: "查看质效看板",
    Capability.accounts: "管理账号、查看操作记录",
    Capability.bookings: "本窗口预约：签到、未到、取消",
    Capability.callbacks: "12368 回电登记",
    Capability.guide: "未答问题、反馈、示例问句、指南重载",
    Capability.outbox: "短信发件箱",
}


def allows(role: str, capability: Capability) -> bool:
    try:
        return capability in CAPABILITIES[Role(role)]
    except ValueError:
        return False


def booking_services(role: str) -> frozenset[str] | None:
    """The booking services this role works (None: all); an empty set for roles without the booking desk."""
    try:
        return BOOKING_SERVICES.get(Role(role), frozenset())
    except ValueError:
        return frozenset()
