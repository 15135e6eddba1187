"""Security and abuse: who may call what, per-client limits, phone verification, retention of personal data."""
