"""SFTP adapter throughput against OpenSSH's own ``sftp -b`` client, measured in the same run.

    .venv/bin/python -m benchmarks.sftp_bench [--files 1000] [--file-kb 2] [--big-mb 50] [--repeat 3]

Starts a private sshd (``tests/adapters/sshd.py``), then moves ``--files`` small files up and
down through one `SftpTransport` connection, and the same files with one ``sftp -b`` batch per
direction (the ceiling: OpenSSH's C client, 64 outstanding requests); then one ``--big-mb`` file
both ways with each. Times include connecting and authenticating. Prints the best of
``--repeat`` runs in seconds and the ratio adapter/openssh. Target: ratio <= 2.0.

Not like for like in the adapter's disfavour: every adapter put writes a temporary name,
verifies its size and renames it atomically into place, every fetch lstat()s first and hashes
the bytes with SHA-256; ``sftp put``/``get`` do none of that.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from adapters import RetryPolicy, SftpSettings, SftpTransport
from tests.adapters.sshd import SshdInfo, running_sshd

__all__ = ["main", "run"]


def _best_of_interleaved(
    repeat: int, first: Callable[[int], None], second: Callable[[int], None]
) -> tuple[float, float]:
    """Best time of each action, alternating them so that background load hits both alike."""
    timings: tuple[list[float], list[float]] = ([], [])
    for round_ in range(repeat):
        for action, bucket in ((first, timings[0]), (second, timings[1])):
            started = time.perf_counter()
            action(round_)
            bucket.append(time.perf_counter() - started)
    return min(timings[0]), min(timings[1])


def _transport(info: SshdInfo) -> SftpTransport:
    settings = SftpSettings(
        host=info.host,
        port=info.port,
        username=info.username,
        known_hosts=info.known_hosts_line,
        private_key=str(info.client_key_path),
    )
    return SftpTransport(settings, retry=RetryPolicy(attempts=1))


def _openssh_batch(info: SshdInfo, work: Path, commands: list[str]) -> None:
    batch = work / "batch.txt"
    batch.write_text("\n".join(commands) + "\n")
    known_hosts = work / "known_hosts"
    known_hosts.write_text(info.known_hosts_line + "\n")
    subprocess.run(
        [
            "sftp",
            "-q",
            "-b",
            str(batch),
            "-P",
            str(info.port),
            "-i",
            str(info.client_key_path),
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            f"{info.username}@{info.host}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run(files: int = 1000, file_kb: int = 2, big_mb: int = 50, repeat: int = 3) -> dict[str, float]:
    """Measure and return seconds per case (keys ``<case>.<adapter|openssh>``)."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="sftp-bench-") as tmp:
        work = Path(tmp)
        with running_sshd(work / "sshd", log_level="ERROR") as info:
            local = work / "local"
            small = {f"order-{n:05d}.edi": os.urandom(file_kb * 1024) for n in range(files)}
            (local / "small").mkdir(parents=True)
            for name, data in small.items():
                (local / "small" / name).write_bytes(data)
            big = os.urandom(big_mb * 2**20)
            (local / "big.bin").write_bytes(big)
            (local / "down").mkdir()

            def adapter_up(round_: int) -> None:
                remote = info.data_dir / f"a-up-{round_}"
                remote.mkdir()
                with _transport(info) as transport:
                    for name, data in small.items():
                        transport.put(remote.name, name, data)

            def adapter_down(round_: int) -> None:
                with _transport(info) as transport:
                    for name in small:
                        transport.fetch(f"a-up-{round_}", name)

            def openssh_up(round_: int) -> None:
                remote = info.data_dir / f"o-up-{round_}"
                remote.mkdir()
                commands = [f"put {local / 'small' / name} {remote.name}/{name}" for name in small]
                _openssh_batch(info, work, commands)

            def openssh_down(round_: int) -> None:
                commands = [f"get o-up-{round_}/{name} {local / 'down' / name}" for name in small]
                _openssh_batch(info, work, commands)

            def adapter_big_up(round_: int) -> None:
                with _transport(info) as transport:
                    transport.put(".", f"a-big-{round_}.bin", big)

            def adapter_big_down(round_: int) -> None:
                with _transport(info) as transport:
                    fetched = transport.fetch(".", f"a-big-{round_}.bin")
                assert fetched.sha256 == hashlib.sha256(big).hexdigest()

            def openssh_big_up(round_: int) -> None:
                _openssh_batch(info, work, [f"put {local / 'big.bin'} o-big-{round_}.bin"])

            def openssh_big_down(round_: int) -> None:
                _openssh_batch(info, work, [f"get o-big-{round_}.bin {local / 'big-down.bin'}"])

            cases = {
                f"{files} x {file_kb} KB up": (adapter_up, openssh_up),
                f"{files} x {file_kb} KB down": (adapter_down, openssh_down),
                f"{big_mb} MB up": (adapter_big_up, openssh_big_up),
                f"{big_mb} MB down": (adapter_big_down, openssh_big_down),
            }
            for case, (adapter_action, openssh_action) in cases.items():
                adapter, openssh = _best_of_interleaved(repeat, adapter_action, openssh_action)
                results[f"{case}.adapter"], results[f"{case}.openssh"] = adapter, openssh
            assert (local / "big-down.bin").read_bytes() == big
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--file-kb", type=int, default=2)
    parser.add_argument("--big-mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = run(args.files, args.file_kb, args.big_mb, args.repeat)
    cases = list(dict.fromkeys(key.rsplit(".", 1)[0] for key in results))
    print(f"{'case':<24} {'adapter s':>10} {'openssh s':>10} {'ratio':>7}  target <= 2.0")
    worst = 0.0
    for case in cases:
        adapter, openssh = results[f"{case}.adapter"], results[f"{case}.openssh"]
        ratio = adapter / openssh
        worst = max(worst, ratio)
        print(
            f"{case:<24} {adapter:>10.3f} {openssh:>10.3f} {ratio:>7.2f}  {'ok' if ratio <= 2.0 else 'SLOW'}"
        )
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
