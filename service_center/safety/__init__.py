"""Safety events (issue 20): each crisis the conversation answered, recorded for the staff on duty as an alert."""
