"""Raw frame bytes held during a recording: RAM up to a shared cap, then a spill file.

Appending is all the receive loop does, so it keeps up with the camera; nothing is dropped
for lack of memory (the disk takes over), and the order of arrival is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


class MemoryBudget:
    """Bytes of frames in RAM across all cameras of a session."""

    def __init__(self, cap_bytes: int):
        self.cap_bytes = cap_bytes
        self.used = 0


class FrameBuffer:
    """One camera's frames in arrival order: ``(received_at, bytes | (offset, length))``."""

    def __init__(self, budget: MemoryBudget, spill_path: Path):
        self.budget = budget
        self.spill_path = spill_path
        self.entries: list[tuple[float, bytes | tuple[int, int]]] = []
        self.spilled = 0
        self._spill = None
        self._spill_offset = 0

    def append(self, received_at: float, data: bytes) -> None:
        if self.budget.used + len(data) <= self.budget.cap_bytes:
            self.budget.used += len(data)
            self.entries.append((received_at, data))
            return
        if self._spill is None:
            self.spill_path.parent.mkdir(parents=True, exist_ok=True)
            self._spill = self.spill_path.open("wb")
        self._spill.write(data)
        self.entries.append((received_at, (self._spill_offset, len(data))))
        self._spill_offset += len(data)
        self.spilled += 1

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[tuple[float, bytes]]:
        """Frames in arrival order, reading spilled ones back from disk."""
        if self._spill is not None:
            self._spill.flush()
        reader = self.spill_path.open("rb") if self._spill is not None else None
        try:
            for received_at, item in self.entries:
                if isinstance(item, tuple):
                    reader.seek(item[0])  # type: ignore[union-attr]
                    yield received_at, reader.read(item[1])  # type: ignore[union-attr]
                else:
                    yield received_at, item
        finally:
            if reader is not None:
                reader.close()

    def discard(self) -> None:
        """Free RAM and delete the spill file."""
        for _, item in self.entries:
            if isinstance(item, bytes):
                self.budget.used -= len(item)
        self.entries = []
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self.spill_path.unlink(missing_ok=True)
