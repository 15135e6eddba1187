"""Appointment booking: calendar, slots, appointments, staff operations, audit trail."""
