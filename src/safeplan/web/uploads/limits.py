"""A cap on what one upload may send, enforced while the request is read.

Why here and not in the view: Django reads the whole multipart body (to disk) before any view
runs, so a check in the view would come after the disk had filled. This handler stops
reading once the files pass SAFEPLAN_MAX_FILE_MB in all and marks the request, so the page
can say what happened; the form's fields sent before the files (the CSRF token) still count.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler

from safeplan.config import settings

MARK = "safeplan_upload_too_big"


def limit_bytes() -> int:
    return int(settings().max_file_mb * 1024 * 1024)


class LimitedUpload(TemporaryFileUploadHandler):
    """Files go to temporary files on disk (never memory), up to the limit in all."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > limit_bytes():
            if self.request is not None:
                setattr(self.request, MARK, True)
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)
