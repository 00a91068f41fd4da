"""What the mapper reads from the container itself, where MediaInfo's report falls short.

A mixin of :class:`.map.Mapper`: each container's own header reader (FLV tags,
AVI stream headers, the MP4 ``moov``, Matroska track entries, transport stream tables,
the MP3 LAME tag, AIFF ``COMM``, RealAudio), run once after MediaInfo, and the lookups
that tie MediaInfo's tracks to what they found.
"""

from __future__ import annotations

import logging
import struct
import typing as t

from ...avinfo import tsprobe
from ...extractor import Source
from .codecs import integer
from .flv import FlvInfo, read_flv
from .mkv import MkvInfo, MkvTrack, read_matroska
from .mov import MovInfo, MovTrack, codec_fields, read_mov
from .mpa import bit_rate_seconds, start_samples
from .ogg import last_granules, theora_headers
from .riff import AviStream, aiff_frames, avi_streams, realaudio, wav_byte_rate
from .ts import TsInfo, TsStream, scan_ts

logger = logging.getLogger("fop_middleware")


class Headers:
    """Header facts; the mapper provides ``format_name``, ``general``, ``tracks`` and ``source``."""

    format_name: str
    general: dict[str, t.Any]
    tracks: list[dict[str, t.Any]]
    source: Source

    def __init__(self) -> None:
        self.flv: FlvInfo | None = None
        self.avi: list[AviStream] = []
        self.realaudio: dict[str, t.Any] | None = None
        self.ts: TsInfo | None = None
        self.mov: MovInfo | None = None
        self.mp3_start: tuple[int, int] | None = None
        self.mkv: list[MkvTrack] = []
        self.matroska: MkvInfo | None = None
        self.wav_byte_rate: int | None = None
        self.ts_score: int | None = None

    def read_headers(self, stream: t.BinaryIO) -> None:
        """Read what MediaInfo leaves out from the container's own headers (a few KiB).

        A header these readers cannot follow only costs the fields they would add.
        """
        try:
            self._read_headers(stream)
        except (struct.error, ValueError, IndexError, EOFError, OverflowError) as e:
            logger.info("mediainfo: unreadable %s header in %r: %s", self.format_name, self.source.name, e)

    def _read_headers(self, stream: t.BinaryIO) -> None:
        if self.format_name == "flv":
            self.flv = read_flv(stream)
        elif self.format_name.startswith("mov,") and (integer(self.general.get("FileSize")) or self.source.size):
            self.mov = read_mov(stream, integer(self.general.get("FileSize")) or self.source.size or 0)
        elif self.format_name == "matroska,webm":
            self.matroska = read_matroska(stream)
            self.mkv = self.matroska.tracks if self.matroska else []
        elif self.format_name == "aiff":
            frames = aiff_frames(stream)
            for track in self.tracks:  # MediaInfo's count can take in the SSND chunk's 8-byte header
                if frames is not None and track["@type"] == "Audio" and integer(track.get("SamplingRate")):
                    track["SamplingCount"] = str(frames)
                    track["Duration"] = str(frames / integer(track["SamplingRate"]))
        elif self.format_name == "ogg":
            theora = theora_headers(stream)
            for track in self.tracks:
                track["_theora"] = theora.get(str(track.get("ID")), {})
            samples = last_granules(stream, integer(self.general.get("FileSize")) or self.source.size or 0)
            for track in self.tracks:
                count = samples.get(integer(track.get("ID")))
                rate = 48000 if track.get("Format") == "Opus" else integer(track.get("SamplingRate"))
                if track["@type"] == "Audio" and count and rate:
                    track["Duration"] = str(count / rate)
                    track.pop("SamplingCount", None)
        elif self.format_name == "wav":
            self.wav_byte_rate = wav_byte_rate(stream)
        elif self.format_name == "mp3":
            self.mp3_start = start_samples(stream) or (0, 1)
            seconds = bit_rate_seconds(stream, integer(self.general.get("FileSize")) or self.source.size or 0)
            for track in self.tracks if seconds is not None else []:
                if track["@type"] == "Audio":
                    track["Duration"] = self.general["Duration"] = repr(seconds)
        elif self.format_name == "avi":
            self.avi = avi_streams(stream)
        elif self.format_name == "mpegts":
            self.ts = scan_ts(stream)  # registration descriptors; H.264 frame rates are in the SPS
            self.ts_score = tsprobe.probe_score(stream, self.source.name)
        elif not self.format_name:
            self.realaudio = realaudio(stream)
            if not self.realaudio:
                self.ts = scan_ts(stream, whole=True)

    def _mkv_track(self, track: dict[str, t.Any]) -> MkvTrack | None:
        """The Matroska track entry of a track, by its position (MediaInfo's StreamOrder)."""
        order = str(track.get("StreamOrder", ""))
        return self.mkv[int(order)] if order.isdigit() and int(order) < len(self.mkv) else None

    def _codec_delay(self, track: dict[str, t.Any]) -> int | None:
        if self.format_name != "matroska,webm":
            return 0
        found = self._mkv_track(track)
        if found is None:
            return None if track.get("Format") == "Opus" else 0
        return (found.codec_delay + 500_000) // 1_000_000  # to the 1/1000 time base, rounded

    def _mov_track(self, track: dict[str, t.Any]) -> MovTrack | None:
        track_id = integer(track.get("ID"))
        return next((tr for tr in self.mov.tracks if tr.track_id == track_id), None) if self.mov and track_id else None

    def _mov_fields(self, out: dict[str, t.Any], found: MovTrack) -> None:
        """The mov demuxer's timing: the media time scale, and a first timestamp of 0 when
        there are samples to read; its sample count."""
        scale = 90000 if found.timeless or not found.time_scale else found.time_scale
        out["time_base"] = f"1/{scale}"
        if not found.timeless and self.mov and self.mov.data_size:
            out["start_pts"], out["start_time"] = 0, "0.000000"
        if found.timeless and self.mov and self.mov.duration:
            out["duration"] = f"{round(self.mov.duration * scale) / scale:.6f}"
            if out["codec_type"] == "video":
                out["r_frame_rate"] = f"{scale}/1"  # no packet to time: the time base's rate
        if "duration" in out:
            out["duration_ts"] = round(float(out["duration"]) * scale)
        if found.sample_count and out["codec_type"] in ("video", "audio"):
            out["nb_frames"] = str(found.sample_count)
        if out.get("codec_name") == "h264" or found.config_kind != b"avcC":
            out.update(codec_fields(found))

    def _ts_stream(self, track: dict[str, t.Any]) -> TsStream | None:
        """What the program tables and PES say of an elementary stream, found by its PID."""
        pid = integer(track.get("ID"))
        return next((s for s in self.ts.streams if s.pid == pid), None) if self.ts else None

    def _sps(self, track: dict[str, t.Any]) -> dict[str, t.Any]:
        """The SPS of an H.264 transport stream."""
        found = self._ts_stream(track)
        return found.sps or {} if found else {}

    def _sps_frame_rate(self, track: dict[str, t.Any]) -> str:
        rate = self._sps(track).get("frame_rate")
        return f"{rate.numerator}/{rate.denominator}" if rate else ""
