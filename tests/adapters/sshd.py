"""Start and stop a private OpenSSH sshd for tests and benchmarks.

The daemon listens on 127.0.0.1 on a free port with its own ed25519 host key, accepts one client
key for the current user and offers nothing but ``internal-sftp`` rooted at ``data_dir``. Only
the process started here is ever signalled.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")


class SshdUnavailable(RuntimeError):
    """sshd or ssh-keygen is not installed."""


@dataclass(frozen=True)
class SshdInfo:
    host: str
    port: int
    username: str
    client_key_path: Path
    known_hosts_line: str
    data_dir: Path
    rsa_known_hosts_line: str
    pid: int
    log_path: Path

    def session_pids(self) -> list[int]:
        """Processes serving client connections: every descendant of our sshd, not sshd itself.

        With privilege separation a connection is a monitor process plus its unprivileged child
        that talks to the network, so the whole subtree counts.
        """
        parents: dict[int, int] = {}
        for stat_file in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat_file.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parents[int(stat_file.parent.name)] = int(fields[1])
        descendants: list[int] = []
        frontier = {self.pid}
        while frontier:
            children = [pid for pid, parent in parents.items() if parent in frontier]
            descendants.extend(children)
            frontier = set(children)
        return descendants

    def signal_sessions(self, signum: signal.Signals) -> int:
        """Send ``signum`` to every connection process of this daemon; return how many."""
        pids = self.session_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        return len(pids)

    def kill_sessions(self) -> int:
        """SIGKILL every connection of this daemon (not the daemon); return how many."""
        return self.signal_sessions(signal.SIGKILL)


def find_sshd() -> str | None:
    """Absolute path of sshd (it refuses to re-exec itself from a relative path), or None."""
    found = shutil.which("sshd")
    if found:
        return found
    return next((path for path in SSHD_CANDIDATES if os.access(path, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _keygen(path: Path, key_type: str = "ed25519") -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", key_type, "-N", "", "-C", "", "-f", str(path)],
        check=True,
        capture_output=True,
    )


def _wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], deadline: float) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.02)  # polling a condition with a deadline
    return False


def _config(tmp: Path, port: int, user: str, data_dir: Path, log_level: str) -> str:
    return "\n".join(
        [
            "ListenAddress 127.0.0.1",
            f"Port {port}",
            f"HostKey {tmp / 'host_ed25519'}",
            f"HostKey {tmp / 'host_rsa'}",
            f"PidFile {tmp / 'sshd.pid'}",
            f"AuthorizedKeysFile {tmp / 'authorized_keys'}",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            f"AllowUsers {user}",
            "MaxStartups 100",
            "MaxSessions 100",
            f"LogLevel {log_level}",
            "Subsystem sftp internal-sftp",
            f"ForceCommand internal-sftp -d {data_dir}",
            "",
        ]
    )


@contextlib.contextmanager
def running_sshd(tmp_dir: Path, *, log_level: str = "DEBUG1") -> Iterator[SshdInfo]:
    """Run a private sshd below ``tmp_dir`` for the duration of the ``with`` block.

    The default log level is DEBUG1 because tests read which auth methods a client tried;
    benchmarks pass a quieter one.
    """
    sshd = find_sshd()
    if sshd is None or shutil.which("ssh-keygen") is None:
        raise SshdUnavailable("OpenSSH server not installed (apt-get install openssh-server)")
    tmp_dir = Path(tmp_dir)
    data_dir = tmp_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    _keygen(tmp_dir / "host_ed25519")
    _keygen(tmp_dir / "host_rsa", "rsa")  # a second host key: clients must ask for the pinned type
    _keygen(tmp_dir / "client_ed25519")
    client_pub = (tmp_dir / "client_ed25519.pub").read_text()
    (tmp_dir / "authorized_keys").write_text(client_pub)
    host_pub = (tmp_dir / "host_ed25519.pub").read_text().split()
    rsa_pub = (tmp_dir / "host_rsa.pub").read_text().split()
    if os.geteuid() == 0:  # privilege separation directory, created by the service unit normally
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    user = getpass.getuser()
    log_path = tmp_dir / "sshd.log"
    for _attempt in range(5):  # the free port may be taken between probing and binding
        port = _free_port()
        config = tmp_dir / "sshd_config"
        config.write_text(_config(tmp_dir, port, user, data_dir, log_level))
        process = subprocess.Popen(
            [sshd, "-D", "-f", str(config), "-E", str(log_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if _wait_for_port("127.0.0.1", port, process, time.monotonic() + 10.0):
            break
        _stop(process)
    else:
        log = log_path.read_text() if log_path.exists() else "(no log)"
        raise RuntimeError(f"sshd did not start:\n{log}")
    info = SshdInfo(
        host="127.0.0.1",
        port=port,
        username=user,
        client_key_path=tmp_dir / "client_ed25519",
        known_hosts_line=f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}",
        rsa_known_hosts_line=f"[127.0.0.1]:{port} {rsa_pub[0]} {rsa_pub[1]}",
        data_dir=data_dir,
        pid=process.pid,
        log_path=log_path,
    )
    try:
        yield info
    finally:
        info.kill_sessions()
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
