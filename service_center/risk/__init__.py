"""Litigation-risk self-assessment: rules as data, a pure engine, stored reports."""
