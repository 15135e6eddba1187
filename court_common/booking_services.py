"""The bookable services: code -> the name a person sees, the same in every channel's words and cards and in the
staff console. The service center takes its names from knowledge_base/court_profile.yml (booking.services);
tests/service/test_booking_calendar.py checks that the profile says the same as this table."""

BOOKING_SERVICES: dict[str, str] = {
    "mediation": "诉前调解",
    "filing": "立案窗口",
    "cross_region_filing": "跨域立案",
    "judicial_confirmation": "司法确认",
}
