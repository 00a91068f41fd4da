"""The program count of an MPEG transport stream, which PyAV does not expose.

5.1's demuxer made one program per entry of the Program Association Table
(``nb_programs``); reading the table costs the first few packets.
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from typing import BinaryIO

SYNC = 0x47
#: Packets looked at before giving up on finding the PAT, and bytes read at a time.
MAX_PACKETS = 2000
CHUNK = 192 * 64


def _packet_size(head: bytes) -> tuple[int, int] | None:
    """(packet size, offset of the first sync byte) for plain TS (188) or BDAV M2TS (192)."""
    for size, offset in ((188, 0), (192, 4), (204, 0)):
        if len(head) >= offset + 3 * size and all(head[offset + i * size] == SYNC for i in range(3)):
            return size, offset
    return None


def program_count(stream: BinaryIO) -> int | None:
    """Programs listed by the first complete PAT, or None when there is none to read."""
    stream.seek(0)
    data = stream.read(CHUNK)
    layout = _packet_size(data)
    if layout is None:
        return None
    size, pos = layout
    for _ in range(MAX_PACKETS):
        if pos + 188 > len(data):
            more = stream.read(CHUNK)
            if not more:
                return None
            data = data[pos:] + more
            pos = 0
        packet = data[pos:pos + 188]
        pos += size
        count = _pat_programs(packet)
        if count is not None:
            return count
    return None


def _pat_programs(packet: bytes) -> int | None:
    """Programs in ``packet`` if it starts a PAT section (PID 0), else None."""
    pid = ((packet[1] & 0x1F) << 8) | packet[2]
    if packet[0] != SYNC or pid != 0 or not packet[1] & 0x40:
        return None
    start = 4
    if packet[3] & 0x20:  # an adaptation field comes first
        start += 1 + packet[4]
    if start >= len(packet):
        return None
    start += 1 + packet[start]  # pointer field
    section = packet[start:]
    if len(section) < 8 or section[0] != 0:
        return None
    length = ((section[1] & 0x0F) << 8) | section[2]
    entries = section[8:3 + length - 4]
    return sum(1 for i in range(0, len(entries) - 3, 4) if entries[i] or entries[i + 1])
