"""The outbox: written with its cause, sent once (inline or by the RQ worker), retried, failed to staff."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_mailman import EmailMessage
from rq import SimpleWorker
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.extensions import db
from gallery.notifications import dispatch, jobs
from gallery.notifications.models import MessageStatus, OutboxMessage
from gallery.orders.placing import CartLine, SoldOut
from tests.edges import place_order
from tests.factories import csrf_token
from tests.notifications.conftest import GAMBIR, SHOPPER
from tests.sqlcount import count_statements


def messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def broken_mail(monkeypatch):
    """The SMTP relay refuses the next `fails[0]` messages, then works again."""
    fails = [1]
    real_send = EmailMessage.send

    def send(self, *args, **kwargs):
        if fails[0] > 0:
            fails[0] -= 1
            raise ConnectionRefusedError("smtp down")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    return fails


def test_a_placed_order_writes_its_message_with_the_order_and_sends_it_once_after_the_commit(
        delivery_order, mail_outbox):
    order = delivery_order()
    [message] = messages()
    assert (message.kind, message.order_id, message.recipient) == ("order_placed", order.id, "siti@contoh.id")
    assert message.status == MessageStatus.SENT and message.attempts == 1 and message.sent_at is not None
    assert [m.subject for m in mail_outbox] == [message.subject] and order.number in message.subject
    assert mail_outbox[0].extra_headers["Message-ID"] == message.provider_message_id
    # The same message handed over again (a duplicate job, the sweep racing the worker) is not sent again.
    assert jobs.deliver(message.id).result == "skipped"
    assert len(mail_outbox) == 1


def test_a_change_that_rolls_back_leaves_no_message(tariff, shelf, mail_outbox):
    rendang, songket = shelf
    with pytest.raises(SoldOut):
        place_order([CartLine(rendang.id, 1), CartLine(songket.id, 5)], SHOPPER, fulfilment="delivery",
                    address=GAMBIR, service_code="POS_REG")
    assert messages() == [] and mail_outbox == []


def test_a_transport_failure_is_retried_after_its_backoff_by_the_periodic_sweep(
        app, delivery_order, mail_outbox, broken_mail):
    clock.freeze(clock.utcnow())
    order = delivery_order()
    [message] = messages()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1) and "smtp down" in message.last_error
    assert message.next_attempt_at == clock.utcnow() + timedelta(minutes=1) and mail_outbox == []
    runner = app.test_cli_runner()
    assert "0 due" in runner.invoke(args=["notifications", "send"]).output  # not yet
    clock.freeze(clock.utcnow() + timedelta(minutes=2))
    assert "1 due" in runner.invoke(args=["notifications", "send"]).output
    [message] = messages()
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 2, "")
    assert len(mail_outbox) == 1 and order.number in mail_outbox[0].subject


def test_after_its_last_attempt_a_message_waits_for_staff_who_see_it_and_resend_it(
        app, client, make, delivery_order, mail_outbox, broken_mail):
    app.config["NOTIFICATION_MAX_ATTEMPTS"] = 2
    try:
        broken_mail[0] = 2
        clock.freeze(clock.utcnow())
        delivery_order()
        clock.freeze(clock.utcnow() + timedelta(minutes=2))
        app.test_cli_runner().invoke(args=["notifications", "send"])
    finally:
        app.config["NOTIFICATION_MAX_ATTEMPTS"] = 6
    [message] = messages()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 2) and mail_outbox == []
    clock.freeze(clock.utcnow() + timedelta(days=1))
    assert jobs.send_due() == (0, 0)  # a failed message is never tried again by itself

    staff = make.user(Role.STAFF)
    make.login(client, staff)
    page = client.get("/staff/notifications").get_data(as_text=True)
    assert "siti@contoh.id" in page and "smtp down" in page and message.subject in page
    token = csrf_token(client, "/staff/notifications")
    response = client.post(f"/staff/notifications/{message.id}/resend", data={"csrf_token": token})
    assert response.status_code == 303
    [message] = messages()
    assert (message.status, message.resent_by_id) == (MessageStatus.SENT, staff.id) and len(mail_outbox) == 1
    again = client.post(f"/staff/notifications/{message.id}/resend", data={"csrf_token": token})
    assert again.status_code == 303 and len(mail_outbox) == 1  # a sent message is not sent twice


def test_a_sender_that_died_while_sending_leaves_the_message_failed_not_sent_again(delivery_order, mail_outbox,
                                                                                    broken_mail):
    clock.freeze(clock.utcnow())
    delivery_order()
    [message] = messages()
    message.status, message.claimed_at = MessageStatus.SENDING, clock.utcnow()
    db.session.commit()
    clock.freeze(clock.utcnow() + timedelta(minutes=20))
    assert jobs.send_due() == (0, 1)
    [message] = messages()
    assert message.status == MessageStatus.FAILED and "outcome unknown" in message.last_error
    assert mail_outbox == []


def test_with_redis_each_message_is_a_job_the_worker_sends_once(app, delivery_order, mail_outbox, redis_queue):
    number = delivery_order().number
    [message] = messages()
    assert message.status == MessageStatus.PENDING and mail_outbox == []  # queued, not sent by the request
    queue = dispatch.queue()
    assert [job.args for job in queue.jobs] == [(message.id,)]
    dispatch.enqueue([message.id])  # the same message queued twice (the sweep raced the commit)
    SimpleWorker([queue], connection=redis_queue).work(burst=True)
    [message] = messages()
    assert message.status == MessageStatus.SENT and len(mail_outbox) == 1
    assert number in mail_outbox[0].subject


def test_with_redis_a_failed_attempt_is_scheduled_again_after_its_backoff(app, delivery_order, mail_outbox,
                                                                         redis_queue, broken_mail):
    delivery_order()
    queue = dispatch.queue()
    SimpleWorker([queue], connection=redis_queue).work(burst=True)
    [message] = messages()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1) and mail_outbox == []
    assert queue.scheduled_job_registry.get_job_ids() and queue.count == 0


def test_when_redis_is_down_the_message_waits_for_the_sweep(app, delivery_order, mail_outbox):
    class Down:
        def __getattr__(self, name):
            raise ConnectionError("redis down")

    app.extensions["rq_connection"] = Down()
    try:
        delivery_order()
        [message] = messages()
        assert message.status == MessageStatus.PENDING and mail_outbox == []
        assert jobs.send_due() == (1, 0)  # sent from here rather than not at all
    finally:
        app.extensions.pop("rq_connection", None)
    assert messages()[0].status == MessageStatus.SENT and len(mail_outbox) == 1


def test_a_password_reset_link_is_erased_from_the_outbox_once_sent(client, make, mail_outbox):
    make.user(Role.CUSTOMER, email="ada@contoh.id")
    client.post("/forgot-password", data={"email": "ada@contoh.id",
                                          "csrf_token": csrf_token(client, "/forgot-password")})
    [message] = messages()
    assert message.status == MessageStatus.SENT and message.sensitive and message.body == ""
    assert "/reset-password/" in mail_outbox[0].body


def test_the_outbox_page_runs_the_same_statements_for_few_or_many_messages(app, client, make, delivery_order,
                                                                          broken_mail):
    staff = make.user(Role.STAFF)
    make.login(client, staff)
    app.config["NOTIFICATION_MAX_ATTEMPTS"] = 1
    try:
        broken_mail[0] = 100
        delivery_order(quantity=1, with_songket=False)
        with count_statements() as few:
            assert client.get("/staff/notifications").status_code == 200
        for _ in range(3):
            delivery_order(quantity=1, with_songket=False)
        with count_statements() as many:
            page = client.get("/staff/notifications").get_data(as_text=True)
    finally:
        app.config["NOTIFICATION_MAX_ATTEMPTS"] = 6
    assert page.count("Kirim ulang") == 4
    assert len(many) == len(few)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4


@pytest.mark.requires_postgres
def test_two_workers_racing_for_the_same_message_send_it_once(app, delivery_order, mail_outbox, redis_queue):
    import threading

    delivery_order()  # queued (Redis), not yet sent
    [message] = messages()
    message_id = message.id
    db.session.remove()
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def work():
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                outcomes.append(jobs.deliver(message_id).result)
            except Exception as error:  # surfaced below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(mail_outbox) == 1 and messages()[0].status == MessageStatus.SENT


def test_nothing_leaves_before_the_transaction_commits_even_across_a_savepoint(mail_outbox):
    from gallery.notifications import outbox

    outbox.add_email("partner_inquiry", "dewi@contoh.id", "Pertanyaan diterima", "Terima kasih.")
    with db.session.begin_nested():
        outbox.add_email("partner_inquiry", "budi@contoh.id", "Pertanyaan diterima", "Terima kasih.",
                         dedupe_key="inquiry:1")
    assert mail_outbox == []  # the savepoint was released; the transaction is still open
    assert outbox.add_email("partner_inquiry", "budi@contoh.id", "Lagi", "Lagi.", dedupe_key="inquiry:1") is None
    db.session.commit()
    assert sorted(m.to[0] for m in mail_outbox) == ["budi@contoh.id", "dewi@contoh.id"]


def test_a_savepoint_rolled_back_later_in_the_transaction_does_not_forget_the_messages_queued_before_it(
        app, mail_outbox):
    from gallery.notifications.outbox import add_email

    with app.test_request_context():
        message = add_email("test", "siti@contoh.id", "Pesanan diterima", "Terima kasih.")
        try:
            with db.session.begin_nested():  # e.g. a dedupe insert that lost, or a gateway that refused
                raise RuntimeError("undone")
        except RuntimeError:
            pass
        db.session.commit()
    assert [m.subject for m in mail_outbox] == ["Pesanan diterima"]
    assert db.session.get(OutboxMessage, message.id).status == MessageStatus.SENT
