"""A stand-in for a few service-center endpoints on a real local port: it records every JSON POST and answers
with a fixed status and body (used where the connector or an action must reach the service center)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingService:
    def __init__(self, status: int = 201, body: bytes = b"{}"):
        self.posts: list[tuple[str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer.posts.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
