"""A TCP relay in front of a broker, to cut every connection to it and restore them later.

A broker outage as its clients see it: while the relay is cut, every open connection is closed
and new ones are refused (nothing listens on the port), as with a stopped server; restoring it
accepts connections again on the same port. The broker itself keeps running, with its data.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from support.processes import free_port

HOST = "127.0.0.1"
# How often the accept loop looks whether it should stop.
ACCEPT_POLL = 0.2
CHUNK = 65536


class Relay:
    """Forwards 127.0.0.1:`port` to `target_host`:`target_port` until cut."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._accepting: threading.Thread | None = None

    def restore(self) -> None:
        """Listen on the relay's port and forward every connection (also the first start)."""
        with self._lock:
            if self._listener is not None:
                return
            self._listener = socket.create_server((HOST, self.port))
            self._listener.settimeout(ACCEPT_POLL)
            self._accepting = threading.Thread(
                target=self._accept, args=(self._listener,), daemon=True
            )
            self._accepting.start()

    def cut(self) -> None:
        """Stop listening and close every connection, as a broker that went away."""
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._open = self._open, set()
        if listener is not None:
            listener.close()
        for connection in connections:
            _close(connection)
        if self._accepting is not None:
            self._accepting.join(timeout=5)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by cut()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            for sock in (client, upstream):
                sock.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client)
                    _close(upstream)
                    return
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes one way until either side closes, then close both."""
        try:
            while data := source.recv(CHUNK):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open -= {source, sink}
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    """Shut a socket down both ways (waking a thread blocked on it), then close it."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


@contextlib.contextmanager
def relay_to(target_host: str, target_port: int) -> Iterator[Relay]:
    """A started relay for the block, cut afterwards."""
    relay = Relay(target_host, target_port)
    relay.restore()
    try:
        yield relay
    finally:
        relay.cut()
