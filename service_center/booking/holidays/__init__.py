"""Statutory holidays and 调休 working days for the booking calendar: the court's own arrangement per year
(entered by an administrator, stored in the database), the statutory holidays computed for years nobody has
entered yet, and the bookings an arrangement entered later makes fall on a holiday."""
