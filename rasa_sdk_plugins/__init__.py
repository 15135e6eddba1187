"""The action server reachable only from the Rasa server: rasa-sdk 3.6's own plugin hook (rasa_sdk/plugin.py
imports a top-level package named `rasa_sdk_plugins` and calls its init_hooks), found because `rasa run actions`
runs from the repository root.

- It binds 127.0.0.1 unless SANIC_HOST says otherwise (rasa-sdk's own default is 0.0.0.0, every interface).
- Every request but GET /health must carry X-Internal-Token = INTERNAL_SECRET, which Rasa sends from
  endpoints.yml (action_endpoint.headers). Without the secret configured the action server refuses every call.
Without this, anyone on the network could run any action with a forged tracker (send an SMS, cancel a booking).
"""

import os

import pluggy
from sanic import Sanic, response

from court_common.trust import INTERNAL_HEADER, internal_secret, token_matches

hookimpl = pluggy.HookimplMarker("rasa_sdk")


class ActionServerGuard:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        os.environ.setdefault("SANIC_HOST", "127.0.0.1")
        secret = internal_secret()

        @app.on_request
        async def only_rasa(request):
            if request.path == "/health":
                return None
            if not token_matches(request.headers.get(INTERNAL_HEADER), secret):
                return response.json({"error": "forbidden: only the Rasa server may call the action server"},
                                     status=403)
            return None


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(ActionServerGuard())
