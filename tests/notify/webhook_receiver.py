"""A real HTTP receiver for the webhook tests (its own process, on loopback): verifies every
request's signature with the ``standardwebhooks`` package and appends what it got to a JSON-lines
log. Usage: ``python webhook_receiver.py LOG SECRETS``; prints its port on the first line.

SECRETS is a JSON file {"<path>": ["whsec_..."]} read on every request (the test writes it after
registering). Paths choose the behaviour: /ok answers 204; /flaky answers 500 to the first request
of each webhook-id, then 200; /hang never answers; /redirect answers 302 to /ok; /big answers 200
with 1 MiB; /down always 500.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

LOG = Path(sys.argv[1])
SECRETS = Path(sys.argv[2])
SEEN: set[str] = set()
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = self.path.split("?", 1)[0]
        keys = json.loads(SECRETS.read_text()).get(path, []) if SECRETS.exists() else []
        verified = []
        for key in keys:
            try:
                Webhook(key).verify(body, headers)
                verified.append(key)
            except WebhookVerificationError:
                pass
        with LOCK:
            entry = {
                "path": path,
                "webhook_id": headers.get("webhook-id"),
                "signature": headers.get("webhook-signature"),
                "host": headers.get("host"),
                "verified_with": verified,
                "body": body.decode(),
            }
            with LOG.open("a") as out:
                out.write(json.dumps(entry) + "\n")
            first = entry["webhook_id"] not in SEEN
            SEEN.add(str(entry["webhook_id"]))
        if path == "/hang":
            time.sleep(60)
            return
        if path == "/redirect":
            self._answer(302, b"", {"location": "/ok"})
        elif path == "/big":
            self._answer(200, b"x" * (1024 * 1024))
        elif path == "/down" or (path == "/flaky" and first):
            self._answer(500, b"try later")
        elif path == "/flaky":
            self._answer(200, b"ok")
        else:
            self._answer(204, b"")

    def _answer(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if body:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
