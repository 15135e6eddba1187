"""Installing and running the assistant on a court server: container images, Compose, systemd units, the proxy,
log rotation, and database backup and restore (`make backup` / `make restore`). See docs/deployment.md."""
