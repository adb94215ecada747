"""An export's file as encrypted chunks in the database: written as a stream by the worker,
read back as a stream by a download. Neither side holds more than one chunk."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from vejud.core.crypto import fernet
from vejud.exports.models import CHUNK_BYTES, Export, ExportChunk, ExportFormat

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PDF: "application/pdf",
}


class ChunkWriter(io.RawIOBase):
    """A binary file object: each ``CHUNK_BYTES`` written become one encrypted chunk."""

    def __init__(self, export: Export) -> None:
        super().__init__()
        self.export = export
        self.buffer = bytearray()
        self.number = 0
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.buffer += data
        while len(self.buffer) >= CHUNK_BYTES:
            self._store(bytes(self.buffer[:CHUNK_BYTES]))
            del self.buffer[:CHUNK_BYTES]
        return len(data)

    def close(self) -> None:
        if not self.closed and self.buffer:
            self._store(bytes(self.buffer))
            self.buffer.clear()
        super().close()

    def _store(self, plain: bytes) -> None:
        ExportChunk.objects.create(
            export=self.export, number=self.number, data=fernet().encrypt(plain)
        )
        self.number += 1
        self.size += len(plain)


def chunks_of(export: Export) -> Iterator[bytes]:
    """The file's bytes, one decrypted chunk at a time (read one by one, in order)."""
    numbers = list(export.chunks.order_by("number").values_list("number", flat=True))
    for number in numbers:
        data = ExportChunk.objects.values_list("data", flat=True).get(export=export, number=number)
        yield fernet().decrypt(bytes(data))


def chunks_delete(export: Export) -> int:
    """Delete the file; return how many chunks it had."""
    deleted, _ = ExportChunk.objects.filter(export=export).delete()
    return deleted


def file_response(export: Export) -> StreamingHttpResponse:
    """The finished file as an attachment, streamed a chunk at a time (never cached, never
    sniffed); the caller has checked and audited the download."""
    response = StreamingHttpResponse(
        chunks_of(export), content_type=CONTENT_TYPES[ExportFormat(export.format)]
    )
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["Content-Length"] = str(export.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
