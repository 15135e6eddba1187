"""Pieces that several Rasa servers behind a load balancer need (endpoints.scaled.yml)."""
