"""The service's HTTP protocol: uvicorn's httptools protocol, a response sent in one write.

uvicorn writes a response's head and its body in two calls, and on a keep-alive connection
each becomes a TCP segment of its own. On loopback the sender also pays the receiver's TCP
path for each segment: for a small answer (a decision, a profile) the second write was about
a tenth of the server's CPU. Here the writes made in one turn of the event loop are joined
and sent at its end (the next turn), which changes nothing else: the bytes and their order
are the same, a close sends what is pending first, and flow control is the transport's own.
``cvm serve`` runs with it (``http="cvm.api.http_protocol:HttpProtocol"``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HttpProtocol", "JoinedWrites"]


class JoinedWrites:
    """A transport whose writes in one turn of the loop go out as one ``write``."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._parts: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._parts:
            self._loop.call_soon(self.flush)
        self._parts.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send what is pending (nothing once the connection is closing)."""
        parts, self._parts = self._parts, []
        if parts and not self._transport.is_closing():
            self._transport.write(parts[0] if len(parts) == 1 else b"".join(parts))

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._parts))

    def __getattr__(self, name: str) -> Any:  # everything else is the transport's own
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over :class:`JoinedWrites`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        joined = JoinedWrites(transport, asyncio.get_running_loop())
        super().connection_made(joined)  # type: ignore[arg-type]
