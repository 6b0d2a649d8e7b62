"""The WhatsApp Business Cloud API adapter: the only module that talks to it (STYLE.md habit 5).

A message outside a conversation the shopper opened must be an approved *template*: the shop sends
`POST {WHATSAPP_API_BASE}/{WHATSAPP_API_VERSION}/{WHATSAPP_PHONE_NUMBER_ID}/messages` with the bearer token,
the template's name, its language and the body parameters in order, and keeps the `wamid` Meta answers.
Errors become a `TransportError`: throttling, Meta's own trouble and the network are worth another try;
anything else (a bad token, an unknown template, a number that is not on WhatsApp) is not.
"""
from __future__ import annotations

import requests
from flask import current_app

from gallery.notifications.transport import TransportError

# Graph API error codes that clear by themselves: throttling (4, 80007, 130429, 131056), a temporary
# failure on Meta's side (1, 2, 131000, 131016) — https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
_RETRYABLE_CODES = {1, 2, 4, 80007, 130429, 131000, 131016, 131056}


def messages_url() -> str:
    """Where template messages are sent for the gallery's WhatsApp number."""
    config = current_app.config
    return (f"{config['WHATSAPP_API_BASE'].rstrip('/')}/{config['WHATSAPP_API_VERSION']}/"
            f"{config['WHATSAPP_PHONE_NUMBER_ID']}/messages")


def template_payload(to: str, template: str, language: str, parameters: list[str]) -> dict:
    """The Cloud API's body for one template message whose body takes `parameters` in order."""
    components = [{"type": "body", "parameters": [{"type": "text", "text": value} for value in parameters]}]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": template, "language": {"code": language}, "components": components},
    }


def send_template(to: str, template: str, language: str, parameters: list[str]) -> str:
    """Send one template message; return the message id Meta gave it, or raise TransportError."""
    config = current_app.config
    try:
        response = requests.post(
            messages_url(), json=template_payload(to, template, language, parameters),
            headers={"Authorization": f"Bearer {config['WHATSAPP_TOKEN']}"},
            timeout=config["WHATSAPP_TIMEOUT_SECONDS"],
        )
    except requests.RequestException as error:
        raise TransportError(f"WhatsApp unreachable: {error}") from None
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code == 200 and answer.get("messages"):
        return str(answer["messages"][0].get("id", ""))
    error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
    code = error.get("code")
    text = f"WhatsApp {response.status_code}: {error.get('message') or response.text[:200]} (code {code})"
    retryable = response.status_code >= 500 or response.status_code == 429 or code in _RETRYABLE_CODES
    raise TransportError(text, permanent=not retryable)
