"""Rasa's SQL tracker store, with personal data masked before anything is written (endpoints*.yml)."""
