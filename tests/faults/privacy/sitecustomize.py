"""Loaded by every Python process started with this folder on PYTHONPATH: refuses, and logs, any connection
or name lookup that is not for loopback (or a host named in PRIVACY_ALLOWED_HOSTS).

The log file is PRIVACY_LOG; one line per refusal, with the address and the call that tried it.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import traceback

_LOG = os.environ.get("PRIVACY_LOG", "")
_ALLOWED = {"localhost", *filter(None, os.environ.get("PRIVACY_ALLOWED_HOSTS", "").split(","))}


def _local(host: object) -> bool:
    if host is None:
        return True
    name = (host.decode() if isinstance(host, bytes) else str(host)).strip("[]").split("%")[0]
    if name in _ALLOWED:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _refuse(what: str) -> None:
    caller = "".join(traceback.format_stack(limit=8)[:-2]).replace("\n", " | ")
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{what}  from: {caller}\n")


if _LOG:
    _connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):  # type: ignore[index]
            _refuse(f"connect {address!r}")
            raise OSError(errno.ENETUNREACH, f"network access refused by the privacy test: {address!r}")
        return _connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):  # type: ignore[index]
            _refuse(f"connect_ex {address!r}")
            return errno.ENETUNREACH
        return _connect_ex(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        if not _local(host):
            _refuse(f"getaddrinfo {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"name lookup refused by the privacy test: {host!r}")
        return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
