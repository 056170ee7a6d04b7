"""Recognise evidence files by their content, never by their name (pure)."""

# (content type, extension, test on the first bytes)
_SIGNATURES = [
    ("image/jpeg", ".jpg", lambda b: b.startswith(b"\xff\xd8\xff")),
    ("image/png", ".png", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/gif", ".gif", lambda b: b[:6] in (b"GIF87a", b"GIF89a")),
    ("image/webp", ".webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    ("image/heic", ".heic", lambda b: b[4:8] == b"ftyp" and b[8:12] in (b"heic", b"heix",
                                                                        b"mif1", b"msf1")),
    ("application/pdf", ".pdf", lambda b: b.startswith(b"%PDF-")),
]

ALLOWED_TYPES = {content_type for content_type, _ext, _test in _SIGNATURES}


def sniff(head: bytes) -> tuple[str, str] | None:
    """``(content_type, extension)`` of a file whose first bytes are ``head``, or None."""
    for content_type, extension, test in _SIGNATURES:
        if test(head):
            return content_type, extension
    return None
