"""Procedure guide in the service center: search, entries, basis, guide pages, feedback and unanswered questions."""
