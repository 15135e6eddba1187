"""The embedded default under supervisord (`make run`): the configuration, and the event listener that counts
crashes for /health and retries a process supervisord gave up on."""
