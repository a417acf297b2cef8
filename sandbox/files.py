"""Uploaded file parts and the sandbox's file storage (file_id, getFile, downloads)."""

from __future__ import annotations

import mimetypes
import struct
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UploadedFile:
    """A file part received in a multipart/form-data request."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        """Number of bytes in the upload."""
        return len(self.data)


@dataclass
class StoredFile:
    """A file known to the sandbox server, addressable by file_id and file_path."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes = field(repr=False)
    file_name: str | None = None
    mime_type: str | None = None
    # What the file's own object says besides its ids (a voice's duration, a video note's
    # length); a message re-sending it by file_id carries the same.
    attributes: dict[str, object] = field(default_factory=dict)
    # The size the sender's client declared, when the bytes kept are a stand-in.
    declared_size: int | None = None

    @property
    def size(self) -> int:
        """The file's size as Telegram reports it."""
        return len(self.data) if self.declared_size is None else self.declared_size

    def to_api(self) -> dict[str, object]:
        """Return the File object answered by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
    "other": "CAACAgIAAxkBAAI",
}
_FOLDER = {
    "photo": "photos",
    "document": "documents",
    "voice": "voice",
    "audio": "music",
    "video_note": "video_notes",
    "other": "files",
}


class FileStore:
    """Keeps every uploaded or user-sent file, with deterministic identifiers."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def add(
        self,
        data: bytes,
        kind: str = "document",
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store bytes and return the new file record."""
        self._counter += 1
        n = self._counter
        ext = _extension(file_name, mime_type, kind)
        stored = StoredFile(
            file_id=f"{_PREFIX.get(kind, _PREFIX['other'])}{n:08X}",
            file_unique_id=f"AQAD{n:08X}",
            file_path=f"{_FOLDER.get(kind, 'files')}/file_{n}{ext}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """Look a file up by file_id."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """Look a file up by the file_path given out by getFile."""
        return self._by_path.get(file_path)


def _extension(file_name: str | None, mime_type: str | None, kind: str) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1].lower()
    if mime_type:
        guessed = mimetypes.guess_extension(mime_type)
        if guessed:
            return guessed
    return ".jpg" if kind == "photo" else ""


def image_size(data: bytes) -> tuple[int, int]:
    """Read width and height from PNG, GIF or JPEG bytes; fall back to 512x512."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        found = _jpeg_size(data)
        if found:
            return found
    return 512, 512


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            pos += 1
            continue
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def fit(width: int, height: int, box: int) -> tuple[int, int]:
    """Scale a size down (never up) so that it fits into a box x box square."""
    largest = max(width, height, 1)
    if largest <= box:
        return width, height
    return max(1, width * box // largest), max(1, height * box // largest)
