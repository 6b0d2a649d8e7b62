"""A fake of the WhatsApp Business Cloud API on 127.0.0.1: `POST /{version}/{phone_number_id}/messages`.

It checks the bearer token and the body as Meta does (messaging_product, to, a template with a name, a
language code and body parameters), answers with Meta's JSON (`contacts` and a `wamid.` message id), and
records every request. Tests make it fail: `fail_with(status, code)` answers the next requests with Meta's
error object (e.g. 500 code 131000, 429 code 130429, 400 code 132001 "template name does not exist").
"""
from __future__ import annotations

import itertools
import json
import threading

from werkzeug.wrappers import Request, Response

TOKEN = "EAAG-fake-token"
PHONE_NUMBER_ID = "106540352242922"
VERSION = "v21.0"
ERROR_MESSAGES = {131000: "Something went wrong", 130429: "Rate limit hit",
                  132001: "Template name does not exist in the translation", 190: "Invalid OAuth access token"}


class FakeWhatsApp:
    def __init__(self):
        self.url = ""
        self.requests: list[dict] = []
        self._failures: list[tuple[int, int]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def reset(self):
        with self._lock:
            self.requests.clear()
            self._failures.clear()

    def fail_with(self, status: int, code: int, times: int = 1) -> None:
        """Answer the next `times` requests with Meta's error object."""
        self._failures.extend([(status, code)] * times)

    def __call__(self, environ, start_response):
        request = Request(environ)
        body = json.loads(request.get_data(as_text=True) or "{}")
        with self._lock:
            self.requests.append({"path": request.path, "auth": request.headers.get("Authorization"), "body": body})
            status, answer = self._answer(request, body)
        return Response(json.dumps(answer), status=status, content_type="application/json")(environ, start_response)

    def _error(self, status: int, code: int, message: str | None = None):
        return status, {"error": {"message": message or ERROR_MESSAGES.get(code, "Error"), "type": "OAuthException",
                                  "code": code, "fbtrace_id": "AbCdEfGh"}}

    def _answer(self, request, body):
        if request.method != "POST" or request.path != f"/{VERSION}/{PHONE_NUMBER_ID}/messages":
            return self._error(404, 100, "Unsupported post request")
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._error(401, 190)
        if self._failures:
            return self._error(*self._failures.pop(0))
        template = body.get("template") or {}
        if (body.get("messaging_product") != "whatsapp" or body.get("type") != "template" or not body.get("to")
                or not template.get("name") or not (template.get("language") or {}).get("code")):
            return self._error(400, 100, "Invalid parameter")
        for component in template.get("components", []):
            if any(p.get("type") != "text" or not isinstance(p.get("text"), str) for p in component["parameters"]):
                return self._error(400, 131008, "Required parameter is missing")
        return 200, {"messaging_product": "whatsapp",
                     "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                     "messages": [{"id": f"wamid.HBgLNjI4MTIzNDU2Nzg5FQIAERgS{next(self._ids):06d}"}]}

    def sent(self) -> list[dict]:
        """The template messages the fake accepted (their request bodies)."""
        return [r["body"] for r in self.requests if r["auth"] == f"Bearer {TOKEN}"]

    @staticmethod
    def parameters(body: dict) -> list[str]:
        return [p["text"] for p in body["template"]["components"][0]["parameters"]]
