"""The URL provider against a real HTTP server on loopback (an ephemeral port per test)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.fetch.url import fetch_url

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


class Server:
    def __init__(self) -> None:
        self.fail_first = 0  # answer 500 to this many requests
        self.cut_first = 0  # send only half the body on this many requests
        self.ignore_range = False
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                rng = self.headers.get("Range")
                server.requests.append({"path": self.path, "range": rng})
                if self.path != "/linux.tar.xz":
                    self.send_error(404)
                    return
                if server.fail_first > 0:
                    server.fail_first -= 1
                    self.send_error(500)
                    return
                start = 0
                if rng and not server.ignore_range:
                    start = int(rng.split("=")[1].split("-")[0])
                body = PAYLOAD[start:]
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.cut_first > 0:
                    server.cut_first -= 1
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.httpd.shutdown()


def test_download_verifies_and_caches(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "linux.tar.xz"
    fetch_url(f"{server.url}/linux.tar.xz", dest, DIGEST, backoff=0)
    assert dest.read_bytes() == PAYLOAD
    fetch_url(f"{server.url}/linux.tar.xz", dest, DIGEST, backoff=0)
    assert len(server.requests) == 1  # the second call used the cache


def test_checksum_mismatch_names_both_digests(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "linux.tar.xz"
    with pytest.raises(PipelineError) as err:
        fetch_url(f"{server.url}/linux.tar.xz", dest, "0" * 64, backoff=0)
    msg = str(err.value)
    assert "checksum mismatch for linux.tar.xz" in msg
    assert "expected sha256 " + "0" * 64 in msg and DIGEST in msg
    assert not dest.exists()  # nothing unverified is ever used
    assert (tmp_path / "linux.tar.xz.bad").exists()


def test_retry_after_server_errors(server: Server, tmp_path: Path) -> None:
    server.fail_first = 2
    fetch_url(f"{server.url}/linux.tar.xz", tmp_path / "f", DIGEST, backoff=0)
    assert len(server.requests) == 3


def test_resume_after_cut_connection(server: Server, tmp_path: Path) -> None:
    server.cut_first = 1
    dest = tmp_path / "f"
    fetch_url(f"{server.url}/linux.tar.xz", dest, DIGEST, backoff=0)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests[0]["range"] is None
    assert server.requests[1]["range"] == f"bytes={len(PAYLOAD) // 2}-"


def test_resume_of_partial_file_from_an_earlier_run(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "f"
    (tmp_path / "f.part").write_bytes(PAYLOAD[:1000])
    fetch_url(f"{server.url}/linux.tar.xz", dest, DIGEST, backoff=0)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests[0]["range"] == "bytes=1000-"


def test_server_ignoring_range_restarts_cleanly(server: Server, tmp_path: Path) -> None:
    server.ignore_range = True
    (tmp_path / "f.part").write_bytes(b"garbage")
    fetch_url(f"{server.url}/linux.tar.xz", tmp_path / "f", DIGEST, backoff=0)
    assert (tmp_path / "f").read_bytes() == PAYLOAD


def test_gives_up_after_retries_and_keeps_partial(server: Server, tmp_path: Path) -> None:
    server.fail_first = 10
    with pytest.raises(PipelineError, match="after 3 attempts"):
        fetch_url(f"{server.url}/linux.tar.xz", tmp_path / "f", DIGEST, retries=3, backoff=0)


def test_missing_url_is_not_retried(server: Server, tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="HTTP 404"):
        fetch_url(f"{server.url}/nope.tar.xz", tmp_path / "f", DIGEST, backoff=0)
    assert len(server.requests) == 1


def test_corrupt_cache_entry_is_fetched_again(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "f"
    dest.write_bytes(PAYLOAD[:-10])  # truncated
    fetch_url(f"{server.url}/linux.tar.xz", dest, DIGEST, backoff=0)
    assert dest.read_bytes() == PAYLOAD
    assert len(server.requests) == 1


@pytest.mark.parametrize("form", ["file", "path"])
def test_local_mirrors(tmp_path: Path, form: str) -> None:
    src = tmp_path / "mirror" / "linux.tar.xz"
    src.parent.mkdir()
    src.write_bytes(PAYLOAD)
    url = f"file://{src}" if form == "file" else str(src)
    dest = fetch_url(url, tmp_path / "cache" / "linux.tar.xz", DIGEST)
    assert dest.read_bytes() == PAYLOAD


def test_missing_sha256_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="needs its 64-hex-digit 'sha256'"):
        fetch_url("http://127.0.0.1:9/x", tmp_path / "x", "")
