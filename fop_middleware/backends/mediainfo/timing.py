"""Stream timing as each libavformat demuxer sets it, from MediaInfo's durations and counts.

A mixin of :class:`.map.Mapper`: time bases per container, the first timestamp
where a demuxer starts streams at a known point, durations in seconds and in ticks,
frame counts and bit rates.
"""

from __future__ import annotations

import typing as t

from ...avinfo import names
from .codecs import integer, number

#: Containers where ffprobe prints a per-stream ``nb_frames`` (from an index).
INDEXED = {"mov,mp4,m4a,3gp,3g2,mj2", "avi", "aiff"}
#: MPEG-4 Systems codecs, whose average bit rate (esds) the mov demuxer reports.
ESDS_CODECS = {"aac", "mp3", "mp2", "mpeg4"}
#: Containers where ffprobe prints neither per-stream durations nor bit rates.
NO_STREAM_TIMES = {"matroska,webm", "flv"}
#: Codecs whose FFmpeg parser reads a constant bit rate from every frame header, so
#: ffprobe prints it even where the container has none.
PARSER_BIT_RATES = {"ac3", "eac3", "dts", "mp1", "mp2", "mp3"}

#: Demuxers with one time base for every stream: container -> ticks per second.
CONTAINER_TIME_BASES = {"matroska,webm": 1000, "flv": 1000, "mpegts": 90000, "mp3": 14112000, "aac": 28224000,
                        "ac3": 90000, "eac3": 90000, "asf": 1000, "mpeg": 90000}
#: Demuxers whose audio streams count time in samples.
SAMPLE_TIME_BASES = {"flac", "wav", "ogg", "aiff", "w64", "au", "wv", "ape", "tta"}
#: Demuxers whose streams start at timestamp 0 (when they have any data).
ZERO_STARTS = {"ogg", "flac", "aiff", "au", "wv", "ac3", "eac3"}


class Timing:
    """Timing rules; the mapper provides ``format_name`` and ``mp3_start``."""

    format_name: str
    mp3_start: tuple[int, int] | None
    wav_byte_rate: int | None

    def _times(self, kind: str, track: dict[str, t.Any], out: dict[str, t.Any]) -> None:
        if kind == "subtitle" and self.format_name not in INDEXED:
            return
        if self.format_name in NO_STREAM_TIMES:
            if out["codec_name"] in PARSER_BIT_RATES and track.get("BitRate_Mode") == "CBR" and integer(track.get("BitRate")):
                out["bit_rate"] = str(integer(track["BitRate"]))
            return
        frames = self._frames(track, out)
        duration = self._duration(track, out)
        if duration:
            out["duration"] = f"{duration:.6f}"
            self._stream_ticks(out, duration, frames)
        bit_rate = self._bit_rate(out, track)
        if bit_rate and self.format_name not in ("flac", "wv"):  # lossless raw: no rate of its own
            out["bit_rate"] = str(bit_rate)
        if frames and self.format_name in INDEXED:
            out["nb_frames"] = str(frames)

    def _stream_ticks(self, out: dict[str, t.Any], duration: float, frames: int) -> None:
        """``duration_ts`` in the stream's time base, and the first timestamp of the
        demuxers that start every stream at 0."""
        if out["codec_type"] == "video" and self.format_name == "ogg" and frames:
            num, _, den = str(out.get("r_frame_rate", "")).partition("/")
            if integer(num) and integer(den):  # Theora counts time in frames
                out["time_base"] = f"{integer(den)}/{integer(num)}"
        num, _, den = str(out.get("time_base", "")).partition("/")
        if not (integer(num) and integer(den)):
            return
        out.setdefault("duration_ts", round(duration * integer(den) / integer(num)))
        if self.format_name in ZERO_STARTS:
            out.setdefault("start_pts", 0)
            out.setdefault("start_time", "0.000000")
        elif self.mp3_start and out["codec_type"] == "audio":
            skipped, rate = self.mp3_start  # the encoder delay, in the 1/14112000 time base
            out["start_pts"] = round(skipped * integer(den) / (rate * integer(num)))
            out["start_time"] = f"{skipped / rate:.6f}"

    def _frames(self, track: dict[str, t.Any], out: dict[str, t.Any]) -> int:
        """Packets in the container's index; PCM is indexed in sample frames."""
        frames = integer(track.get("Source_FrameCount") or track.get("FrameCount"))
        if out["codec_name"].startswith("pcm_") and track.get("SamplingCount"):
            # AIFF-C's compressed variants: MediaInfo's count is not the frame count
            frames = 0 if self.format_name == "aiff" and track.get("CodecID") else integer(track["SamplingCount"])
        return frames

    def _duration(self, track: dict[str, t.Any], out: dict[str, t.Any]) -> float | None:
        duration = number(track.get("Duration"))
        samples, rate = integer(track.get("SamplingCount")), integer(track.get("SamplingRate"))
        if duration and samples and rate and abs(samples / rate - duration) < 0.001:
            duration = samples / rate  # the same duration, to the sample rather than the ms
        bits = names.BITS_PER_SAMPLE.get(out["codec_name"], 0)
        if self.format_name == "au" and bits and samples and rate and out.get("channels"):
            # MediaInfo counts an AU file's data bytes as its samples
            duration = samples * 8 / (bits * out["channels"]) / rate
        return duration

    def _time_base(self, out: dict[str, t.Any], track: dict[str, t.Any]) -> None:
        """The demuxer's fixed time base and, where the container keeps it, the first timestamp."""
        tick = CONTAINER_TIME_BASES.get(self.format_name)
        if tick is None and out["codec_type"] == "audio" and self.format_name in SAMPLE_TIME_BASES:
            rate = 48000 if out["codec_name"] == "opus" else integer(out.get("sample_rate"))
            tick = rate or None
        if tick is None:
            return
        out["time_base"] = f"1/{tick}"
        delay = number(track.get("Delay"))
        shift = self._codec_delay(track)
        if shift is None:
            return  # Matroska shifts a track by its codec delay, which MediaInfo does not report
        if self.format_name in ("matroska,webm", "mpegts", "mpeg") and delay is not None:
            out["start_pts"] = round(delay * tick) - shift
            out["start_time"] = f"{out['start_pts'] / tick:.6f}"

    def _codec_delay(self, track: dict[str, t.Any]) -> int | None:
        """A Matroska track's ``CodecDelay`` in milliseconds, or None where it is unknown."""
        return 0

    def _bit_rate(self, out: dict[str, t.Any], track: dict[str, t.Any]) -> int:
        codec = out["codec_name"]
        if codec.startswith("pcm_") and codec in names.BITS_PER_SAMPLE:
            # libavcodec's rule for PCM: rate x channels x sample size
            return integer(out.get("sample_rate")) * integer(out.get("channels")) * names.BITS_PER_SAMPLE[codec]
        if self.wav_byte_rate:  # WAVE: the header's average byte rate
            return self.wav_byte_rate * 8
        if self.format_name.startswith("mov,") and codec in ESDS_CODECS and track.get("BitRate_Nominal"):
            # the esds/btrt average bit rate, which the mov demuxer prefers
            return integer(track["BitRate_Nominal"])
        return integer(track.get("BitRate"))
