"""The embedded server's listening socket (tests, demo, benchmarks)."""

from __future__ import annotations

import asyncio
import socket

from caseserver.embedded import listening_socket


def test_connections_accepted_by_the_embedded_server_do_not_wait_on_nagle() -> None:
    """asyncio (as uvicorn runs it) sets TCP_NODELAY only on connections accepted from a socket
    that says it is TCP; without it every answer waited ~40 ms for a delayed ACK."""
    seen: list[int] = []

    async def main() -> None:
        with listening_socket() as sock:
            port = sock.getsockname()[1]
            accepted = asyncio.Event()

            async def handle(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                raw = writer.get_extra_info("socket")
                seen.append(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                writer.close()
                accepted.set()

            server = await asyncio.start_server(handle, sock=sock)
            async with server:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                await asyncio.wait_for(accepted.wait(), timeout=10)
                writer.close()
                await writer.wait_closed()

    asyncio.run(main())
    assert seen and seen[0] != 0
