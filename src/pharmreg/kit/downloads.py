"""Files sent to the browser."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Response


def download(filename: str, content_type: str, data: bytes, *, inline: bool = True) -> Response[bytes]:
    """A file for the browser, its Chinese name percent-encoded (RFC 5987), never cached or sniffed."""
    disposition = "inline" if inline else "attachment"
    return Response(
        data,
        media_type=content_type,
        headers={
            "content-disposition": f"{disposition}; filename*=UTF-8''{quote(filename, safe='')}",
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )
