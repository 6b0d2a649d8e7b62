"""Email leaves through the process's mail thread: the request that placed an order does not wait for the relay."""
import threading

from gallery import mail


def test_a_message_sent_in_the_background_reaches_the_outbox(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SEND_IN_BACKGROUND", True)
    app.extensions["mailman"].outbox = []
    delivered_by = []
    original = mail._deliver
    monkeypatch.setattr(mail, "_deliver", lambda message: delivered_by.append(threading.current_thread().name)
                        or original(message))
    # When a message is sent
    assert mail.send("pembeli@uji.test", "Pesanan diterima", "order_shipped", order=_Order(), order_url="x")
    mail.wait_until_sent(timeout=10)
    # Then the mail thread handed it to the backend, not the caller
    assert delivered_by == ["mail-sender"]
    [message] = app.extensions["mailman"].outbox
    assert message.to == ["pembeli@uji.test"] and message.subject == "Pesanan diterima"


def test_a_failing_relay_is_logged_and_never_raised_from_the_mail_thread(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SEND_IN_BACKGROUND", True)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("relay down")

    monkeypatch.setattr("flask_mailman.EmailMessage.send", refuse)
    assert mail.send("pembeli@uji.test", "Pesanan diterima", "order_shipped", order=_Order(), order_url="x")
    mail.wait_until_sent(timeout=10)
    assert "could not send 'Pesanan diterima'" in caplog.text
    assert mail._sender.is_alive()  # the thread goes on with the next message


class _Order:
    number = "P261100000001"
    contact_name = "Pembeli Uji"
    tracking_number = "RR123456789ID"
    shipping_service_name = "Pos Reguler"
    lines: list = []
