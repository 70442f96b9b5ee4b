# An HTTP/1.1 server that waits DELAY_MS before each answer (a server a
# little way off: this kernel has no netem), keep-alive, one short body.
# Appends one line per request it read to LOG, so the benchmark can show
# that blocked requests did reach the server.
#   delay_server.py PORT DELAY_MS LOG
import asyncio
import socket
import sys

DELAY = int(sys.argv[2]) / 1000.0
BODY = b"answer\n"
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n"
            % len(BODY)) + BODY


async def serve(reader, writer, log):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            log.write(head.split(b"\r\n", 1)[0].decode("latin-1") + "\n")
            if DELAY:
                await asyncio.sleep(DELAY)
            writer.write(RESPONSE)
            await writer.drain()
            if b"connection: close" in head.lower():
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    log = open(sys.argv[3], "a", buffering=1)
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", int(sys.argv[1])))
    sock.listen(1024)
    server = await asyncio.start_server(lambda r, w: serve(r, w, log), sock=sock)
    async with server:
        await server.serve_forever()


asyncio.run(main())
