"""A fake of Midtrans on 127.0.0.1: Snap, the Core API charge (QRIS), Status and Refund, in Midtrans's JSON.

It keeps transactions as Midtrans does (one per `order_id`), signs what it sends with the real
`signature_key` scheme (SHA-512 of order_id + status_code + gross_amount + server key), refuses a
request without the server key, `gross_amount` different from the sum of `item_details`, a reused
`order_id`, and a refund the method does not allow or that exceeds what is left; a `refund_key`
seen before answers as the first time. Tests play the shopper with `choose`, `settle`, `expire`.
"""
from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
import uuid

from werkzeug.wrappers import Request, Response

SERVER_KEY = "SB-Mid-server-fake-key"
CLIENT_KEY = "SB-Mid-client-fake-key"
STATUS_CODES = {"settlement": "200", "capture": "200", "refund": "200", "partial_refund": "200",
                "pending": "201", "deny": "202", "cancel": "202", "expire": "202", "failure": "202"}
REFUNDABLE = ("qris", "gopay", "shopeepay", "credit_card", "akulaku", "kredivo")
DIRECT = ("qris", "gopay", "shopeepay")


def signature_key(order_id: str, status_code: str, gross_amount: str, server_key: str = SERVER_KEY) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


def _amount(value: int) -> str:
    return f"{value}.00"


class FakeMidtrans:
    def __init__(self):
        self.url = ""
        self.requests: list[dict] = []
        self.snaps: dict[str, dict] = {}
        self.transactions: dict[str, dict] = {}
        self.refund_answers: dict[tuple[str, str], dict] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.before = None  # called with (method, path) as a request arrives
        self.down = False  # answer every request as Midtrans does when it fails inside

    def reset(self):
        self.before = None
        self.down = False
        with self._lock:
            self.requests.clear()
            self.snaps.clear()
            self.transactions.clear()
            self.refund_answers.clear()

    # ------------------------------------------------------------------ HTTP

    def __call__(self, environ, start_response):
        request = Request(environ)
        raw = request.get_data(as_text=True)
        body = json.loads(raw) if raw else {}
        if self.before is not None:
            self.before(request.method, request.path)
        with self._lock:
            self.requests.append({"method": request.method, "path": request.path, "body": body,
                                  "auth": request.headers.get("Authorization")})
            expected = "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
            if request.headers.get("Authorization") != expected:
                status, answer = 401, {"status_code": "401", "status_message": "Access denied due to unauthorized "
                                       "transaction, please check client or server key"}
            elif self.down:
                status, answer = 500, {"status_code": "500", "status_message": "Sorry, we encountered internal "
                                       "server error. We will fix this soon."}
            else:
                status, answer = self._route(request.method, request.path, body)
        return Response(json.dumps(answer), status=status, content_type="application/json")(environ, start_response)

    def _route(self, method, path, body):
        parts = path.strip("/").split("/")
        if method == "POST" and path == "/snap/v1/transactions":
            return self._snap(body)
        if method == "POST" and path == "/v2/charge":
            return self._charge(body)
        if method == "GET" and len(parts) == 3 and parts[0] == "v2" and parts[2] == "status":
            transaction = self.transactions.get(parts[1])
            if transaction is None:
                return 404, {"status_code": "404", "status_message": "Transaction doesn't exist.",
                             "id": str(uuid.uuid4())}
            return 200, self.status_of(parts[1])
        if method == "POST" and len(parts) >= 3 and parts[0] == "v2" and parts[2] == "refund":
            return self._refund(parts[1], body, direct=parts[3:] == ["online", "direct"])
        return 404, {"status_code": "404", "status_message": f"Unknown path {path}"}

    @staticmethod
    def _items_match(body) -> str | None:
        details = body.get("transaction_details") or {}
        items = body.get("item_details") or []
        if not isinstance(details.get("gross_amount"), int):
            return "transaction_details.gross_amount must be an integer"
        if items and sum(item["price"] * item["quantity"] for item in items) != details["gross_amount"]:
            return "transaction_details.gross_amount is not equal to the sum of item_details"
        if any(len(item.get("name", "")) > 50 for item in items):
            return "item_details.name is too long"
        return None

    def _snap(self, body):
        problem = self._items_match(body)
        order_id = (body.get("transaction_details") or {}).get("order_id")
        if problem is None and (order_id in self.snaps or order_id in self.transactions):
            problem = "transaction_details.order_id has already been taken"
        if problem:
            return 400, {"error_messages": [problem]}
        token = str(uuid.uuid4())
        self.snaps[order_id] = {"body": body, "token": token}
        return 201, {"token": token, "redirect_url": f"https://app.sandbox.midtrans.com/snap/v4/redirection/{token}"}

    def _charge(self, body):
        problem = self._items_match(body)
        order_id = (body.get("transaction_details") or {}).get("order_id")
        if problem is None and order_id in self.transactions:
            problem = "transaction_details.order_id has already been taken"
        if problem:
            return 400, {"status_code": "400", "status_message": "One or more parameters in the payload is invalid.",
                         "validation_messages": [problem]}
        if body.get("payment_type") != "qris":
            return 400, {"status_code": "400", "status_message": "payment_type not supported by this fake"}
        transaction = self._new(order_id, body["transaction_details"]["gross_amount"], "qris")
        minutes = int((body.get("custom_expiry") or {}).get("expiry_duration") or 15)
        transaction["expiry_time"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 7 * 3600 + 60 * minutes))
        answer = dict(self.status_of(order_id), status_message="QRIS transaction is created")
        answer.pop("signature_key")
        return 201, answer

    def _new(self, order_id, gross_amount, payment_type, **fields) -> dict:
        number = next(self._ids)
        transaction = {
            "transaction_id": str(uuid.UUID(int=number)), "order_id": order_id, "gross_amount": gross_amount,
            "payment_type": payment_type, "transaction_status": "pending", "fraud_status": "accept",
            "transaction_time": time.strftime("%Y-%m-%d %H:%M:%S"), "currency": "IDR", "refunded": 0, "refunds": [],
        }
        if payment_type in ("qris", "gopay"):
            transaction["acquirer"] = "gopay"
            transaction["qr_string"] = f"00020101021226620014COM.GO-JEK.WWW011893600914{number:08d}5204581253033605802ID"
            transaction["actions"] = [
                {"name": "generate-qr-code", "method": "GET", "url": f"{self.url}/v2/qris/{transaction['transaction_id']}/qr-code"}]
            if payment_type == "gopay":
                transaction["actions"].append({"name": "deeplink-redirect", "method": "GET",
                                               "url": f"https://simulator.sandbox.midtrans.com/gopay/partner/app/payment-pin?id={number}"})
        transaction.update(fields)
        self.transactions[order_id] = transaction
        return transaction

    def status_of(self, order_id: str) -> dict:
        """The Status API's answer (and a notification's body): Midtrans's fields, signed."""
        t = self.transactions[order_id]
        status_code = STATUS_CODES[t["transaction_status"]]
        gross = _amount(t["gross_amount"])
        answer = {
            "status_code": status_code, "status_message": "Success, transaction is found",
            "transaction_id": t["transaction_id"], "order_id": order_id, "merchant_id": "G000000001",
            "gross_amount": gross, "currency": t["currency"], "payment_type": t["payment_type"],
            "transaction_time": t["transaction_time"], "transaction_status": t["transaction_status"],
            "fraud_status": t["fraud_status"], "signature_key": signature_key(order_id, status_code, gross),
        }
        for key in ("va_numbers", "permata_va_number", "bill_key", "biller_code", "qr_string", "actions", "acquirer",
                    "expiry_time", "settlement_time"):
            if key in t:
                answer[key] = t[key]
        if t["refunds"]:
            answer["refund_amount"] = _amount(t["refunded"])
            answer["refunds"] = t["refunds"]
        return answer

    def _refund(self, order_id, body, *, direct):
        key = body.get("refund_key") or ""
        if (order_id, key) in self.refund_answers:
            return 200, self.refund_answers[(order_id, key)]
        t = self.transactions.get(order_id)
        if t is None:
            return 404, {"status_code": "404", "status_message": "Transaction doesn't exist."}
        if t["transaction_status"] not in ("settlement", "capture", "partial_refund") \
                or t["payment_type"] not in REFUNDABLE or direct != (t["payment_type"] in DIRECT):
            return 412, {"status_code": "412", "status_message": "Merchant cannot modify the status of the transaction"}
        amount = int(body.get("amount") or t["gross_amount"] - t["refunded"])
        if amount <= 0 or t["refunded"] + amount > t["gross_amount"]:
            return 412, {"status_code": "412", "status_message": "Refund amount is greater than the remaining amount"}
        t["refunded"] += amount
        t["transaction_status"] = "refund" if t["refunded"] == t["gross_amount"] else "partial_refund"
        chargeback = next(self._ids)
        t["refunds"].append({"refund_chargeback_id": chargeback, "refund_amount": _amount(amount),
                             "created_at": time.strftime("%Y-%m-%d %H:%M:%S"), "reason": body.get("reason", ""),
                             "refund_key": key, "refund_method": "online"})
        answer = {"status_code": "200", "status_message": "Success, refund request is approved",
                  "transaction_id": t["transaction_id"], "order_id": order_id, "gross_amount": _amount(t["gross_amount"]),
                  "currency": "IDR", "payment_type": t["payment_type"], "transaction_time": t["transaction_time"],
                  "transaction_status": t["transaction_status"], "refund_chargeback_id": chargeback,
                  "refund_amount": _amount(amount), "refund_key": key}
        self.refund_answers[(order_id, key)] = answer
        return 200, answer

    # ------------------------------------------------------------------ the shopper, in the simulator

    def snap_body(self, order_id: str) -> dict:
        return self.snaps[order_id]["body"]

    def choose(self, order_id: str, channel: str) -> dict:
        """The shopper picked a channel on the Snap page: a pending transaction with its instructions."""
        amount = self.snaps[order_id]["body"]["transaction_details"]["gross_amount"]
        with self._lock:
            if channel.endswith("_va") and channel != "permata_va":
                fields = {"va_numbers": [{"bank": channel[:-3], "va_number": f"{next(self._ids):011d}"}]}
                return self._new(order_id, amount, "bank_transfer", **fields)
            if channel == "permata_va":
                return self._new(order_id, amount, "bank_transfer", permata_va_number=f"{next(self._ids):016d}")
            if channel == "echannel":
                return self._new(order_id, amount, "echannel", bill_key=f"{next(self._ids):012d}", biller_code="70012")
            return self._new(order_id, amount, channel)

    def settle(self, order_id: str, **fields) -> None:
        t = self.transactions[order_id]
        status = "capture" if t["payment_type"] == "credit_card" else "settlement"
        t.update(transaction_status=status, settlement_time=time.strftime("%Y-%m-%d %H:%M:%S"), **fields)

    def expire(self, order_id: str) -> None:
        self.transactions[order_id]["transaction_status"] = "expire"

    def notification(self, order_id: str, **overrides) -> dict:
        """The body Midtrans POSTs to the notification URL for the transaction's current status."""
        return dict(self.status_of(order_id), **overrides)

    def of(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]
