"""The service's protocol joins a response's writes into one (cvm.api.http_protocol): the
bytes, their order and the connection's life are unchanged."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn

from cvm.api.http_protocol import HttpProtocol, JoinedWrites


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str) -> Any:
        return ("127.0.0.1", 1) if name == "peername" else None


def test_writes_of_one_turn_go_out_as_one_and_a_close_sends_them_first() -> None:
    async def run() -> _Transport:
        raw = _Transport()
        joined = JoinedWrites(raw, asyncio.get_running_loop())  # type: ignore[arg-type]
        joined.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        joined.write(memoryview(b"{}"))
        assert raw.writes == [] and joined.get_write_buffer_size() == 40
        await asyncio.sleep(0)  # the end of the turn
        assert raw.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
        joined.write(b"last")
        joined.close()  # pending bytes first, then the close
        await asyncio.sleep(0)
        assert joined.get_extra_info("peername") == ("127.0.0.1", 1)
        return raw

    raw = asyncio.run(run())
    assert raw.writes[1:] == [b"last"] and raw.closed


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = f'{{"path": "{scope["path"]}"}}'.encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def test_a_served_keep_alive_connection_gets_every_answer_whole() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(_app, host="127.0.0.1", port=port, http=HttpProtocol,
                            log_level="warning", lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            got = b""
            for n in range(3):
                conn.sendall(f"GET /p{n} HTTP/1.1\r\nhost: x\r\n\r\n".encode())
                want = f'{{"path": "/p{n}"}}'.encode()
                while not got.endswith(want):
                    chunk = conn.recv(65536)
                    assert chunk, f"the connection closed before answer {n}"
                    got += chunk
            answers = got.split(b"HTTP/1.1 200 OK\r\n")
            assert len(answers) == 4 and answers[0] == b""
            assert all(b"content-length: 15\r\n" in a for a in answers[1:])
    finally:
        server.should_exit = True
        thread.join(timeout=20)
