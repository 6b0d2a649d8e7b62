"""GET /api/shipping/quote: public JSON, 400 with an Indonesian message for bad input."""
import pytest

from tests.sqlcount import count_statements


def test_jakarta_pusat_quote_has_the_issue_shape(client, small_tariff):
    response = client.get("/api/shipping/quote?destination=31.71&weight_grams=1500")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["origin"] == "13.01"
    assert body["destination"] == {"code": "31.71", "name": "Kota Administrasi Jakarta Pusat"}
    assert body["options"][0] == {
        "service": "POS_REG", "name": "Pos Reguler", "etd_days": [2, 4], "chargeable_kg": 2,
        "public_price": 52000, "price": 41600, "discount": 10400, "insurance": 0,
    }
    # Pos Jumbo's 10 kg minimum would charge this 1.5 kg parcel more than Pos Reguler: it is not offered.
    assert [o["service"] for o in body["options"]] == ["POS_REG", "POS_NEXTDAY"]
    assert all(set(o) == set(body["options"][0]) for o in body["options"])


def test_a_service_with_a_high_minimum_is_offered_for_the_big_parcels_it_is_for(client, small_tariff):
    light = client.get("/api/shipping/quote?destination=31.71&weight_grams=700").get_json()
    heavy = client.get("/api/shipping/quote?destination=31.71&weight_grams=14000").get_json()
    assert "POS_JUMBO" not in [o["service"] for o in light["options"]]
    assert heavy["options"][0]["service"] == "POS_JUMBO"  # cheapest per kg once the parcel is big


def test_dimensions_and_value(client, small_tariff):
    body = client.get("/api/shipping/quote?destination=31.71&weight_grams=600"
                      "&length_cm=40&width_cm=30&height_cm=20&value=500000").get_json()
    reguler = body["options"][0]
    assert reguler["service"] == "POS_REG"
    assert reguler["chargeable_kg"] == 4                 # 24.000 cm³ / 6000
    assert reguler["public_price"] == 104_000
    assert reguler["insurance"] == 1200 + 2000           # 0,24 % of Rp 500.000 + Rp 2.000


def test_no_login_is_needed_and_the_answer_is_cheap(client, small_tariff):
    client.get("/api/shipping/quote?destination=31.71&weight_grams=1500")
    with count_statements() as statements:
        assert client.get("/api/shipping/quote?destination=13.71&weight_grams=900").status_code == 200
    assert len(statements) <= 4, statements


@pytest.mark.parametrize("query, message", [
    ("destination=31.71", "Berat (weight_grams) harus bilangan bulat gram antara 1 dan 1.000.000."),
    ("destination=31.71&weight_grams=", "Berat (weight_grams)"),
    ("destination=31.71&weight_grams=abc", "Berat (weight_grams)"),
    ("destination=31.71&weight_grams=0", "Berat (weight_grams)"),
    ("destination=31.71&weight_grams=-5", "Berat (weight_grams)"),
    ("destination=31.71&weight_grams=1.5", "Berat (weight_grams)"),
    ("destination=31.71&weight_grams=1000001", "Berat (weight_grams)"),
    ("destination=31.71&weight_grams=99999999999999999999", "Berat (weight_grams)"),
    ("destination=31.71&weight_grams=1500&length_cm=10&width_cm=10", "Isi ketiga ukuran paket"),
    ("destination=31.71&weight_grams=1500&length_cm=10&width_cm=0&height_cm=5", "Ukuran paket"),
    ("destination=31.71&weight_grams=1500&length_cm=x&width_cm=10&height_cm=5", "Ukuran paket"),
    ("destination=31.71&weight_grams=1500&length_cm=501&width_cm=10&height_cm=5", "Ukuran paket"),
    ("destination=31.71&weight_grams=1500&value=-1", "Nilai barang (value)"),
    ("destination=31.71&weight_grams=1500&value=1e6", "Nilai barang (value)"),
    ("destination=99.99&weight_grams=1500", "Kabupaten/kota tujuan tidak dikenal."),
    ("weight_grams=1500", "Kabupaten/kota tujuan tidak dikenal."),
    ("destination=31.71.01&weight_grams=1500", "Kabupaten/kota tujuan tidak dikenal."),
    ("destination=11.01&weight_grams=1500", "Belum ada tarif kirim ke Kabupaten Aceh Selatan."),
])
def test_bad_input_is_a_400_with_a_message(client, small_tariff, query, message):
    response = client.get(f"/api/shipping/quote?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"error"}
    assert message in body["error"]


def test_messages_follow_the_language(client, small_tariff):
    response = client.get("/api/shipping/quote?destination=99.99&weight_grams=1500&lang=en")
    assert response.status_code == 400
    assert response.get_json()["error"] == "Unknown destination regency/city."


def test_too_heavy_for_every_service(client, small_tariff):
    response = client.get("/api/shipping/quote?destination=13.71&weight_grams=60000")
    assert response.status_code == 400
    assert "terlalu besar" in response.get_json()["error"]
