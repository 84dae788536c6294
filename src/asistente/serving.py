"""Serving with several worker processes: one listening socket per worker (``SO_REUSEPORT``).

uvicorn's multi-process mode binds ONE socket in the parent and every worker accepts from it. A worker whose
event loop wakes first accepts every connection waiting at that moment (uvloop accepts in a loop until the
backlog is empty), so keep-alive clients that connect together land unevenly: measured with 50 wrk
connections on 2 workers, splits of 33/17, 41/9 and 17/33 (benchmarks/README.md, "Session 5: ledgertail").
The busier worker's requests then wait up to twice as long, and they make the tail.

With ``SO_REUSEPORT`` each worker listens on a socket of its own bound to the same address, and the kernel
assigns each new connection to one of them by a hash of its addresses and ports: the split is that of a fair
coin per connection (50 connections: within 25 +- 7 in 95% of bursts), whoever is awake.

How: uvicorn passes the parent's sockets to each worker by pickling them with the worker's arguments.
``PerWorkerSockets`` is that list; it pickles as "bind a new ``SO_REUSEPORT`` socket to this address", so
each worker (and each replacement of a dead worker) unpickles a listening socket of its own. The parent's
own socket, bound with the same option first so that the address is reserved for this user's sockets,
never listens and receives no connections. Linux only; elsewhere (or with ``ASISTENTE_REUSE_PORT=0``) the
shared socket as before.
"""

from __future__ import annotations

import socket
from typing import Any


def reuse_port_available() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def bind_reuse_port(host: str, port: int) -> socket.socket:
    """A TCP socket with ``SO_REUSEADDR`` and ``SO_REUSEPORT`` bound to (host, port), not yet listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _worker_sockets(host: str, port: int) -> PerWorkerSockets:
    return PerWorkerSockets(host, port, bind_reuse_port(host, port))


class PerWorkerSockets(list[socket.socket]):
    """The sockets list handed to uvicorn's ``Multiprocess``: one socket, re-bound in every process that
    unpickles it (a worker), on the same address with ``SO_REUSEPORT``."""

    def __init__(self, host: str, port: int, sock: socket.socket) -> None:
        super().__init__([sock])
        self.host, self.port = host, port

    @classmethod
    def bind(cls, host: str, port: int) -> PerWorkerSockets:
        """The parent's socket: reserves the address (port 0: picks one for every worker)."""
        sock = bind_reuse_port(host, port)
        return cls(host, sock.getsockname()[1], sock)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_worker_sockets, (self.host, self.port))


def run_workers(app: str, *, host: str, port: int, workers: int, reuse_port: bool, **options: Any) -> None:
    """`uvicorn.run(app, factory=True, workers=...)`, with one ``SO_REUSEPORT`` socket per worker when
    `reuse_port` (and the platform has it)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    options.setdefault("http", http_protocol())
    if not (reuse_port and reuse_port_available()):
        uvicorn.run(app, factory=True, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app, factory=True, host=host, port=port, workers=workers, **options)
    sockets = PerWorkerSockets.bind(host, port)
    try:
        Multiprocess(config, sockets=sockets).run()
    finally:
        for sock in sockets:
            sock.close()


class _OneWrite:
    """A response's view of its connection's transport: the writes of one loop iteration (the status line
    and headers, then the body, which the application sends back to back) reach the socket as ONE write."""

    __slots__ = ("_buffer", "_loop", "_transport")

    def __init__(self, transport: Any, loop: Any) -> None:
        self._transport = transport
        self._loop = loop
        self._buffer: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._buffer:
            self._loop.call_soon(self._flush)
        self._buffer.append(data)

    def _flush(self) -> None:
        buffer, self._buffer = self._buffer, []
        if buffer and not self._transport.is_closing():
            self._transport.write(b"".join(buffer))

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(b) for b in self._buffer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def http_protocol() -> Any:
    """uvicorn's httptools protocol whose responses are written with one send each (``_OneWrite``):
    uvicorn writes the status line and headers, then the body, with a system call each; on a busy host
    each send to a waiting client costs a wake-up of the client's reader, so a small GraphQL answer cost
    two (benchmarks/README.md, "Session 5: ledgertail"). "auto" (uvicorn's choice) without httptools."""
    return OneWriteHttpToolsProtocol or "auto"


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HttpToolsProtocol

    class OneWriteHttpToolsProtocol(_HttpToolsProtocol):
        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            cycle = self.cycle
            # The request's cycle was just made (its task has not run yet); an upgrade made none.
            if cycle is not None and cycle.transport is self.transport:
                cycle.transport = _OneWrite(self.transport, self.loop)

except ImportError:  # pragma: no cover - httptools is a dependency of uvicorn[standard]
    OneWriteHttpToolsProtocol = None  # type: ignore[assignment,misc]
