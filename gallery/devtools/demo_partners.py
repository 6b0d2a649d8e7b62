"""Demo partnerships: a past business-matching event with its pairings, an upcoming one, and a few
inquiries in every state, made through the real services so the history rows are what staff would see."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from gallery import clock
from gallery.catalog.models import Producer
from gallery.extensions import db
from gallery.partners import services
from gallery.partners.models import InquiryKind, InquiryStatus, MatchingEvent

INQUIRIES = [
    # (kind, name, organisation, city, message, quantity, budget, outcome after forwarding)
    (InquiryKind.RESELLER, "Rahmi Yuliani", "Toko Oleh-oleh Ranah Minang", "Padang",
     "Kami ingin mengambil rendang lokan untuk dijual kembali di toko kami, 50 bungkus per bulan.",
     50, None, InquiryStatus.PARTNERSHIP),
    (InquiryKind.CUSTOM, "Budi Santoso", "PT Semen Padang (panitia HUT)", "Padang",
     "Pesanan bingkisan untuk 120 tamu acara ulang tahun perusahaan bulan depan.",
     120, 18_000_000, InquiryStatus.IN_TALKS),
    (InquiryKind.INVESTMENT, "Andi Pratama", "Koperasi Nagari Saiyo", "Painan",
     "Koperasi kami tertarik memberi modal kerja untuk penambahan alat produksi.",
     None, 50_000_000, None),
    (InquiryKind.COLLABORATION, "Siti Aminah", "Hotel Mandeh Resort", "Pesisir Selatan",
     "Kami ingin memajang produk IKM di lobi hotel dengan sistem titip jual.",
     None, None, InquiryStatus.FORWARDED),
]


def load_demo_partners(staff, producer_user) -> dict[str, int]:
    """On an empty partners table only: two events, and four inquiries (new, forwarded, in talks, partnership)."""
    if db.session.scalar(select(func.count(MatchingEvent.id))):
        return {"events": 0, "inquiries": 0}
    demo_producer = db.session.get(Producer, producer_user.producer_id)
    others = db.session.scalars(
        select(Producer).where(Producer.is_active.is_(True), Producer.id != demo_producer.id)
        .order_by(Producer.id).limit(3)
    ).all()
    today = clock.today_wib()

    past = services.create_event(services.EventInput(
        title="Temu Bisnis IKM Pesisir Selatan", held_on=today - timedelta(days=120),
        place="Aula Kantor Bupati Pesisir Selatan, Painan",
        speakers="Perwakilan ASITA Sumbar; pemilik jaringan toko oleh-oleh Padang",
        invited_partners="Toko oleh-oleh Padang dan Bukittinggi, hotel di Kawasan Mandeh, koperasi nagari",
        description="Pertemuan produsen dengan reseller, hotel dan koperasi.",
    ), staff)
    for producer in [demo_producer, *others]:
        services.add_participant(past, producer.id, staff)
    pairings = [
        (demo_producer, "Rahmi Yuliani", "Toko Oleh-oleh Ranah Minang", 21),
        (demo_producer, "Hendra Wijaya", "Hotel Mandeh Resort", None),
    ] + [(producer, "Yusra Dewi", "Koperasi Nagari Saiyo", 35 if i == 0 else None)
         for i, producer in enumerate(others)]
    for producer, name, organisation, after_days in pairings:
        pairing = services.record_pairing(past, producer.id, name, organisation, staff)
        if after_days is not None:
            services.mark_partnership(pairing, past.held_on + timedelta(days=after_days))

    upcoming = services.create_event(services.EventInput(
        title="Temu Bisnis Oleh-oleh Akhir Tahun", held_on=today + timedelta(days=24),
        place="Galeri Oleh-oleh Pesisir Selatan, Painan",
        speakers="Dinas Koperasi, UKM dan Perdagangan; Bank Nagari",
        invited_partners="Reseller oleh-oleh, pengelola hotel dan agen perjalanan",
        description="Produsen bertemu reseller untuk pesanan musim libur akhir tahun.",
    ), staff)
    for producer in others[:1]:
        services.add_participant(upcoming, producer.id, staff)

    for kind, name, organisation, city, message, quantity, budget, outcome in INQUIRIES:
        inquiry = services.submit_inquiry(services.InquiryInput(
            kind=kind, name=name, organisation=organisation,
            email=name.lower().replace(" ", ".") + "@contoh.test", whatsapp="0812 6600 1234", city=city,
            message=message, quantity=quantity, budget=budget,
            producer_id=demo_producer.id if outcome else None,
        ))
        if outcome:
            services.forward_inquiry(inquiry, demo_producer.id, staff, "Cocok dengan produk rendang lokan.")
        if outcome in InquiryStatus.OUTCOMES:
            services.record_outcome(inquiry.id, demo_producer.id, outcome, producer_user,
                                    "Sepakat 50 bungkus per bulan." if outcome == InquiryStatus.PARTNERSHIP else "")
    db.session.commit()
    return {"events": 2, "inquiries": len(INQUIRIES)}
