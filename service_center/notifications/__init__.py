"""Text messages (SMS): Twilio Messaging when configured, otherwise a staff-visible outbox."""
