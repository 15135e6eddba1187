"""Container health check (standard library only, both images): is this container's process answering?

The role (ROLE, as in entrypoint.sh) picks the URL: Rasa's root, the action server's /health, the service
center's /health (answered even when a dependency is down: the container is healthy if the process answers), or
the fallback's /health. Exit 0 healthy, 1 not.
"""

import os
import sys
import urllib.request

PATHS = {
    "rasa": ("RASA_PORT", "5005", "/"),
    "actions": ("ACTIONS_PORT", "5055", "/health"),
    "service": ("SERVICE_PORT", "8000", "/health"),
    "fallback": ("HOTLINE_FALLBACK_PORT", "8001", "/health"),
}


def main() -> int:
    role = os.environ.get("ROLE", "")
    if role not in PATHS:
        return 0  # one-shot roles (migrate, backup) have nothing to check
    port_var, default, path = PATHS[role]
    url = f"http://127.0.0.1:{os.environ.get(port_var, default)}{path}"
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
