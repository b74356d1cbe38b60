"""Progress of uploads in flight, readable by the dashboard while the analysis runs in a worker thread."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from pathlib import PurePath

from service.models import UploadStatus

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str | None) -> str:
    """The base name of an uploaded file with only harmless characters (never a path)."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = _SAFE_NAME.sub("_", base).strip(" .") or "upload"
    return base[:120]


class UploadRegistry:
    """Thread-safe map of upload id -> :class:`UploadStatus`, keeping the most recent ``keep`` entries."""

    def __init__(self, keep: int = 200) -> None:
        self._items: OrderedDict[str, UploadStatus] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def begin(self, upload_id: str, filename: str) -> bool:
        """Register a new upload; False when one with this id is still running."""
        with self._lock:
            current = self._items.get(upload_id)
            if current is not None and current.stage not in ("done", "failed"):
                return False
            self._items[upload_id] = UploadStatus(upload_id=upload_id, filename=filename, stage="receiving", progress=0)
            self._items.move_to_end(upload_id)
            while len(self._items) > self._keep:
                self._items.popitem(last=False)
            return True

    def update(self, upload_id: str, stage: str, progress: float, **fields: object) -> None:
        """Move an upload to ``stage`` with ``progress`` (0..1)."""
        with self._lock:
            current = self._items.get(upload_id)
            if current is not None:
                self._items[upload_id] = current.model_copy(
                    update={"stage": stage, "progress": min(max(progress, 0.0), 1.0), **fields}
                )

    def get(self, upload_id: str) -> UploadStatus | None:
        """Current status, or None for unknown ids."""
        with self._lock:
            return self._items.get(upload_id)

    def active(self) -> list[UploadStatus]:
        """Uploads not yet done or failed."""
        with self._lock:
            return [u for u in self._items.values() if u.stage not in ("done", "failed")]
