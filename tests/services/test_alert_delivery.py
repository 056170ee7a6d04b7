"""Deliveries on each channel: a webhook to a real HTTP server on loopback, signed; a failing
channel is logged, retried, and never sends twice what was sent."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kewaspadaan.choices import Channel
from kewaspadaan.models import Alert, AlertDelivery
from kewaspadaan.services import risk

pytestmark = pytest.mark.django_db


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    fail_next = 0

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Gateway.fail_next:
            Gateway.fail_next -= 1
            self.send_response(503)
        else:
            Gateway.received.append((body, self.headers["X-Kewaspadaan-Signature"],
                                     self.headers["X-Kewaspadaan-Delivery"]))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    Gateway.received, Gateway.fail_next = [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


@pytest.fixture
def alert(official_sumbar):
    alert = Alert.objects.create(rule="critical", condition_key="critical:test:1",
                                 region_id="13.77", title="Kejadian kritis di Kota Pariaman",
                                 message="1 meninggal.", level="tinggi", score_total=60)
    return alert


def test_a_webhook_gets_the_alert_signed_once_even_after_a_failure(alert, gateway, settings):
    settings.ALERT_WEBHOOK_SECRET = "rahasia-gateway"
    delivery = AlertDelivery.objects.create(alert=alert, channel=Channel.WEBHOOK,
                                            target=gateway)
    Gateway.fail_next = 1
    with pytest.raises(risk.DeliveryError):
        risk.alert_deliver(alert_id=alert.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "503" in delivery.last_error
    assert delivery.attempts == 1

    assert risk.alert_deliver(alert_id=alert.pk) == {"sent": 1, "failed": 0}
    assert risk.alert_deliver(alert_id=alert.pk) == {"sent": 0, "failed": 0}  # a retry again
    [(body, signature, delivery_id)] = Gateway.received
    assert delivery_id == str(delivery.pk)  # the key a gateway dedupes a resend by
    expected = hmac.new(b"rahasia-gateway", body, hashlib.sha256).hexdigest()
    assert signature == expected
    payload = json.loads(body)
    assert payload["region"] == "13.77" and payload["title"] == "Kejadian kritis di Kota Pariaman"
    assert payload["delivery"] == delivery.pk
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2 and delivery.last_error == ""


def test_an_email_delivery_is_sent_once(alert, official_sumbar, mailoutbox):
    delivery = AlertDelivery.objects.create(alert=alert, channel=Channel.EMAIL,
                                            recipient=official_sumbar,
                                            target="pejabat@sumbar.go.id")
    risk.alert_deliver(alert_id=alert.pk)
    risk.alert_deliver(alert_id=alert.pk)
    assert [m.to for m in mailoutbox] == [["pejabat@sumbar.go.id"]]
    assert "Kejadian kritis di Kota Pariaman" in mailoutbox[0].subject
    assert mailoutbox[0].extra_headers["Message-ID"] == (
        f"<alert-{alert.pk}.delivery-{delivery.pk}@kewaspadaan>")


def test_the_periodic_sweep_sends_what_was_left_pending(alert, official_sumbar, mailoutbox):
    """A delivery whose task was lost (broker down, worker killed) is sent by the sweep."""
    delivery = AlertDelivery.objects.create(alert=alert, channel=Channel.EMAIL,
                                            recipient=official_sumbar,
                                            target="pejabat@sumbar.go.id")
    assert risk.deliveries_requeue() == 1  # tasks run in-process in the tests
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert [m.to for m in mailoutbox] == [["pejabat@sumbar.go.id"]]
    assert risk.deliveries_requeue() == 0
