"""The B2B exchange, in one run:

1. the SFTP adapter against OpenSSH's own ``sftp -b`` batch client moving 1,000 small files up and
   down and one large file (delegated to ``benchmarks.sftp_bench``; target: within 2x of OpenSSH);
2. end-to-end inbound throughput -- files per second from the partner's folder to applied order
   responses (store, archive, decode, apply through the services, queue the CONTRL) -- next to
   decoding the same files alone. The order responses come from the partner simulator
   (`portal.exchange.simulator`) answering the routed orders' files.

    python -m benchmarks.exchange_bench [--files 300] [--skip-sftp]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import edi
from portal.db import make_engine, make_sessionmaker
from portal.exchange import inbound, outbound
from portal.exchange.profiles import open_transport
from portal.exchange.simulator import Behaviour, PartnerSimulator, partner_side
from portal.models import Base, ExchangeProfile, ExchangeRecord, RecordState
from portal.orders import service as orders
from portal.partners.service import system_principal
from tests.exchange.helpers import partner_scene


def inbound_throughput(files: int) -> dict[str, float]:
    logging.getLogger("adapters").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="exchange-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        engine = make_engine(f"sqlite:///{tmp / 'bench.sqlite3'}")
        Base.metadata.create_all(engine)
        factory = make_sessionmaker(engine)
        partner = partner_scene(factory, tmp / "partner")
        owner = partner.scene.p("owner")
        customer = partner.scene.customer()
        with partner.scene.uow() as uow:
            created = [
                orders.create_order(
                    uow=uow,
                    principal=owner,
                    customer_id=customer.id,
                    lines=[orders.NewOrderLine(sku="P-100", quantity=Decimal(4))],
                )
                for _ in range(files)
            ]
            for order in created:
                orders.route_order(
                    uow=uow,
                    principal=owner,
                    order_id=order.id,
                    supplier_id=partner.scene.orgs["supplier-a"].id,
                )
        # The orders go out as files, and the partner simulator answers each with an ORDRSP.
        outbound.queue_from_events(factory, batch=files + 1)
        with factory() as session:
            profile = session.query(ExchangeProfile).one()
            session.expunge(profile)
            side = partner_side(session, system_principal(session), "supplier-a")
        with open_transport(profile) as transport:
            outbound.send_queued(factory, profile, transport)
        answers = Behaviour(delay=0, steps=("ordrsp",), change_rate=0, reject_rate=0)
        with PartnerSimulator(side, tmp / "simulator.json", answers) as simulator:
            simulator.run(once=True)
        payloads = [path.read_bytes() for path in sorted(partner.inbox.iterdir())]
        assert len(payloads) == files, f"the simulator answered {len(payloads)} of {files} orders"
        started = time.perf_counter()
        for data in payloads:
            edi.decode_all(data)
        decode_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with open_transport(profile) as transport:
            inbound.poll(factory, profile, transport)
        inbound.process_pending(factory, limit=files)
        end_to_end_seconds = time.perf_counter() - started
        with factory() as session:
            applied = session.query(ExchangeRecord).filter_by(state=RecordState.APPLIED).count()
        engine.dispose()
    assert applied == files, f"only {applied} of {files} files were applied"
    return {
        "files": files,
        "end_to_end_files_per_s": files / end_to_end_seconds,
        "decode_only_files_per_s": files / decode_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--skip-sftp", action="store_true")
    args = parser.parse_args()
    if not args.skip_sftp:
        from benchmarks import sftp_bench

        results = sftp_bench.run(files=1000, file_kb=2, big_mb=20, repeat=2)
        print("== SFTP adapter vs OpenSSH sftp -b (seconds, best of 2)")
        cases = sorted({key.rsplit(".", 1)[0] for key in results})
        for case in cases:
            ours, theirs = results[f"{case}.adapter"], results[f"{case}.openssh"]
            print(
                f"  {case:22} adapter {ours:6.2f} openssh {theirs:6.2f} ratio {ours / theirs:4.2f} (target <= 2)"
            )
    figures = inbound_throughput(args.files)
    print(f"== inbound, {args.files} ORDRSP files through a folder profile (SQLite)")
    print(
        f"  end to end (store, archive, decode, apply, ack): {figures['end_to_end_files_per_s']:7.1f} files/s"
    )
    print(
        f"  decoding alone:                                  {figures['decode_only_files_per_s']:7.1f} files/s"
    )
    ratio = figures["end_to_end_files_per_s"] / figures["decode_only_files_per_s"]
    print(f"  ratio: {ratio:.3f} (the database work per file dominates)")


if __name__ == "__main__":
    main()
