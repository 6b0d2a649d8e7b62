"""A fake of Pos Indonesia's tracking API on 127.0.0.1: the OAuth2 token endpoint and getTrackAndTrace.

`POST /token` wants HTTP Basic with the agency's key and secret and grant_type=client_credentials, and
answers a bearer token; `POST /utilitas/bisnis/1.0.1/getTrackAndTrace` wants that token and
`{"barcode": resi}`, and answers `{"response": {"data": [...]}}` with the events the test gave the resi
(times in WIB, "YYYY-MM-DD HH:MM:SS"). `down = True` answers 503.
"""
from __future__ import annotations

import base64
import json
import threading

from werkzeug.wrappers import Request, Response

KEY, SECRET = "pos-agency-key", "pos-agency-secret"
TOKEN = "pos-token-0001"


class FakePosTracking:
    def __init__(self):
        self.url = ""
        self.parcels: dict[str, list[dict]] = {}
        self.requests: list[dict] = []
        self.down = False
        self._lock = threading.Lock()

    def reset(self):
        with self._lock:
            self.parcels.clear()
            self.requests.clear()
            self.down = False

    def add(self, resi: str, when: str, name: str, office: str = "", description: str = "") -> None:
        """One event of a parcel as Pos reports it."""
        self.parcels.setdefault(resi, []).append(
            {"barcode": resi, "eventDate": when, "eventName": name, "officeCode": "25600",
             "officeName": office, "description": description or name})

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.requests.append({"path": request.path, "auth": request.headers.get("Authorization")})
            status, answer = self._answer(request)
        return Response(json.dumps(answer), status=status, content_type="application/json")(environ, start_response)

    def _answer(self, request):
        if self.down:
            return 503, {"fault": {"code": 101503, "message": "Runtime Error", "description": "Service unavailable"}}
        if request.path == "/token":
            basic = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
            if request.headers.get("Authorization") != basic or request.form.get("grant_type") != "client_credentials":
                return 401, {"error": "invalid_client", "error_description": "Client Authentication failed."}
            return 200, {"access_token": TOKEN, "scope": "default", "token_type": "Bearer", "expires_in": 3600}
        if request.path == "/utilitas/bisnis/1.0.1/getTrackAndTrace":
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return 401, {"fault": {"code": 900901, "message": "Invalid Credentials"}}
            resi = (request.get_json(silent=True) or {}).get("barcode", "")
            return 200, {"response": {"data": list(self.parcels.get(resi, []))}}
        return 404, {"fault": {"code": 404, "message": "No matching resource found"}}
