"""Exit 1 with one line when HOST:PORT is taken, so `make demo` stops before it resets passwords.

    python scripts/check_port.py 127.0.0.1 5000
"""
from __future__ import annotations

import errno
import socket
import sys


def port_problem(host: str, port: int) -> str | None:
    """None when a server could listen on ``host:port``; else why not, in one line."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as exc:
        return f"cannot use {host}:{port}: {exc.strerror}"
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # the same option the development server sets: a port in TIME_WAIT after a stop is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"port {port} on {host} is already in use (is the demo running already?); "
                        f"stop that server or choose another port: make demo PORT=5001")
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not argv[2].isdigit():
        print("usage: check_port.py HOST PORT", file=sys.stderr)
        return 2
    problem = port_problem(argv[1], int(argv[2]))
    if problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
