"""`session-tui serve` runs the app behind textual-serve on 127.0.0.1 (loopback only)."""

import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_loopback(tmp_path):
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "session_tui", "--store", str(store), "demo"], check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "session_tui", "serve", str(store), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        page = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and page is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
            except OSError:
                time.sleep(0.2)
        assert page is not None, "the server did not answer"
        assert "textual" in page.lower()
        assert f"127.0.0.1:{port}" in page  # websocket and assets on loopback
    finally:
        server.terminate()
        server.wait(timeout=10)
