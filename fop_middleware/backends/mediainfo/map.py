"""MediaInfo's report (its JSON tracks) mapped onto ffprobe 5.1's JSON.

MediaInfo names what it finds in its own words; the tables in
:mod:`fop_middleware.avinfo.names` give FFmpeg's names, and the rules here give the
fields ffprobe derives (types, fractions, per-container habits). A field MediaInfo
cannot know is left out rather than guessed.
"""

from __future__ import annotations

import logging
import re
import typing as t
from fractions import Fraction

from ...avinfo import names
from ...avinfo.codecs import PROBE_SCORES
from ...errors import BadRequest
from ...extractor import Source
from .attached import attachments, covers
from .codecs import (
    codec_name,
    fourcc_string,
    frame_rate,
    integer,
    level_number,
    number,
    pix_fmt_name,
    profile_name,
)
from .fields import add_fixed_fields, disposition, ordered
from .flv import flv_fields
from .headers import Headers
from .mkv import MkvTrack, entry_tags
from .mov import MovTrack, avc_config_fields, mov_tags, with_movie_tags
from .pictures import describe_image
from .riff import avi_fields, realaudio_answer
from .timing import Timing
from .ts import ts_answer

logger = logging.getLogger("fop_middleware")

#: Containers without codec tags: ffprobe prints ``[0][0][0][0]``.
ZERO_TAG_FORMATS = {"matroska,webm", "ogg", "flac", "mp3", "aac", "ac3", "eac3", "flv", "wv", "mpeg"}
#: Sun AU encoding numbers, which the au demuxer keeps as the codec tag.
AU_TAGS = {"pcm_mulaw": 1, "pcm_s8": 2, "pcm_s16be": 3, "pcm_s24be": 4, "pcm_s32be": 5, "pcm_f32be": 6,
           "pcm_f64be": 7, "pcm_alaw": 27}
#: WAVE_FORMAT_EXTENSIBLE: MediaInfo shows the sub-format GUID, whose first field is the tag.
EXTENSIBLE = re.compile(r"^([0-9A-Fa-f]{8})-0000-0010-8000-00AA00389B71$")
#: MediaInfo's colour description -> FFmpeg's names, where one name is meant.
COLOUR_FIELDS = (
    ("color_space", "matrix_coefficients", {"Identity": "gbr", "BT.709": "bt709", "BT.2020 non-constant": "bt2020nc",
                                            "BT.2020 constant": "bt2020c"}),
    ("color_transfer", "transfer_characteristics", {"BT.709": "bt709", "sRGB/sYCC": "iec61966-2-1",
                                                    "PQ": "smpte2084", "HLG": "arib-std-b67"}),
    ("color_primaries", "colour_primaries", {"BT.709": "bt709", "BT.2020": "bt2020"}),
)
_KINDS = {"Video": "video", "Audio": "audio", "Text": "subtitle", "Other": "data"}


class Mapper(Headers, Timing):
    """One MediaInfo report turned into ffprobe's ``{"streams": [...], "format": {...}}``."""

    def __init__(self, tracks: list[dict[str, t.Any]], source: Source) -> None:
        self.general = next((tr for tr in tracks if tr.get("@type") == "General"), {})
        self.tracks = [tr for tr in tracks if tr.get("@type") in _KINDS]
        self.images = [tr for tr in tracks if tr.get("@type") == "Image"]
        self.menus = [tr for tr in tracks if tr.get("@type") == "Menu"]
        self.source = source
        self.format_name = names.MEDIAINFO_FORMATS.get(str(self.general.get("Format", "")), "")
        if self.format_name == "avi":
            for track in self.tracks:  # an AVI stream's ID is its number, which it lacks for unknown codecs
                if "StreamOrder" not in track and str(track.get("ID", "")).isdigit():
                    track["StreamOrder"] = track["ID"]
        Headers.__init__(self)

    def lacks_frame_rates(self) -> bool:
        return self.format_name == "matroska,webm" and any(
            tr["@type"] == "Video" and not tr.get("FrameRate") for tr in self.tracks)

    def add_frame_rates(self, tracks: list[dict[str, t.Any]]) -> None:
        """Copy the frame rates of a second report onto this one's video tracks."""
        rates = {str(tr.get("StreamOrder")): tr for tr in tracks if tr.get("@type") == "Video"}
        for track in self.tracks:
            other = rates.get(str(track.get("StreamOrder")))
            if track["@type"] == "Video" and other and not track.get("FrameRate"):
                for key in ("FrameRate", "FrameRate_Num", "FrameRate_Den"):
                    if key in other:
                        track[key] = other[key]

    def answer(self) -> dict[str, t.Any]:
        if self.realaudio:
            return realaudio_answer(self.realaudio, self.source)
        if self.ts and not self.format_name:
            return ts_answer(self.ts, self.source)
        if not self.format_name or names.is_refused_format(self.format_name):
            raise BadRequest("invalid or unsupported audio/video file")
        streams: list[dict[str, t.Any]] = []
        for track in self._ordered_tracks():
            stream = self.stream(track, len(streams))
            if stream is not None:
                streams.append(stream)
        if not streams:
            raise BadRequest("no audio or video stream found")
        listed = str((self.general.get("extra") or {}).get("Attachments", ""))
        attachments_list = listed.split(" / ") if listed else []
        if self.format_name == "matroska,webm" and attachments_list:
            streams.extend(attachments(self.general, self.images, self.format_name, attachments_list, len(streams)))
        else:
            streams.extend(covers(self.general, self.images, self.format_name, len(streams)))
        streams = [names.with_codec_time_base(stream) for stream in streams]
        fmt = self.format(streams)
        for stream in streams:
            if stream["codec_type"] == "attachment" or stream.get("disposition", {}).get("attached_pic"):
                _container_timing(stream, fmt)
        return {"streams": [ordered(stream) for stream in streams], "format": fmt}

    def _ordered_tracks(self) -> list[dict[str, t.Any]]:
        """MediaInfo's tracks in libavformat's stream order.

        FLV: the order of the first tags, with the script-tag streams MediaInfo does not
        list; each track carries its :class:`FlvStream` as ``_flv``.
        """
        tracks = sorted(self.tracks, key=_stream_order)
        if not self.flv or not self.flv.streams:
            return tracks
        out = []
        for found in self.flv.streams:
            kind = {"audio": "Audio", "video": "Video", "subtitle": "Text"}.get(found.kind, "Other")
            track = next((tr for tr in tracks if tr["@type"] == kind), None)
            track = dict(track) if track is not None else {"@type": kind}
            track["_flv"] = found
            if found.codec and (kind == "Text" or not track.get("Format")):
                track["_codec"] = found.codec
            out.append(track)
        return out

    def format(self, streams: list[dict[str, t.Any]]) -> dict[str, t.Any]:
        g = self.general
        out: dict[str, t.Any] = {"filename": self.source.name, "nb_streams": len(streams)}
        out["nb_programs"] = len(self.menus) if self.format_name == "mpegts" else 0
        out["format_name"] = self.format_name
        out["format_long_name"] = names.FORMAT_LONG_NAMES.get(self.format_name, "")
        duration = number(g.get("Duration"))
        if self.flv and self.flv.duration:
            duration = self.flv.duration  # flv_read_metabody() takes the script's duration
        if self.format_name == "mpegts":
            duration = self._ts_times(out) or duration
        if self.format_name == "au":  # see _times: MediaInfo's own figure counts bytes
            duration = max((number(st.get("duration")) or 0.0 for st in streams), default=0.0) or duration
        starts = [number(st["start_time"]) or 0.0 for st in streams if "start_time" in st]
        if starts and "start_time" not in out:
            out["start_time"] = f"{min(starts):.6f}"  # the earliest stream, as libavformat
        span = _span(streams)
        if span and duration and abs(span - duration) < 0.002 and self.format_name != "mpegts":
            duration = span  # the same figure, to the sample rather than MediaInfo's millisecond
        if duration:
            out["duration"] = f"{duration:.6f}"
        size = integer(g.get("FileSize")) or self.source.size
        if size:
            out["size"] = str(size)
        if size and duration and round(duration * 1_000_000):
            # libavformat divides by the duration in whole microseconds, in doubles (and
            # not by a duration under half a microsecond: mediainfo-exc-825150f5e25b08e8.flv)
            out["bit_rate"] = str(int(size * 8.0 * 1_000_000 / round(duration * 1_000_000)))
        elif any("bit_rate" in st for st in streams):  # no duration: the streams' rates added up
            out["bit_rate"] = str(sum(integer(st.get("bit_rate")) for st in streams))
        out["probe_score"] = PROBE_SCORES.get(self.format_name, 100)
        tags = self.flv.tags if self.flv else _format_tags(g, self.format_name)
        if self.matroska:
            tags = ({"title": self.matroska.title} if self.matroska.title else {}) | self.matroska.tags
        if self.mov:
            tags = with_movie_tags(tags, self.mov)
        if tags:
            out["tags"] = tags
        return out

    def _ts_times(self, out: dict[str, t.Any]) -> float | None:
        """MPEG-TS: like libavformat, the span from the first stream start to the last end."""
        spans = [(number(tr.get("Delay")), number(tr.get("Duration"))) for tr in self.tracks]
        known = [(start, length) for start, length in spans if start is not None and length]
        if not known:
            return None
        first = min(start for start, _ in known)
        out["start_time"] = f"{first:.6f}"
        return max(start + length for start, length in known) - first

    def stream(self, track: dict[str, t.Any], index: int) -> dict[str, t.Any] | None:
        kind = _KINDS[track["@type"]]
        if kind == "data":
            return self.data_stream(track, index)
        codec = track.get("_codec") or codec_name(track, self.format_name)
        if not codec:
            logger.info("mediainfo: no FFmpeg name for %s %r", track["@type"], track.get("Format"))
            return None
        out: dict[str, t.Any] = {"index": index, "codec_name": codec}
        out["codec_long_name"] = names.CODEC_LONG_NAMES.get(codec, "unknown")
        profile = profile_name(codec, track)
        if profile:
            out["profile"] = profile
        out["codec_type"] = kind
        tag = self._codec_tag(track)
        if tag is not None:
            out["codec_tag_string"], out["codec_tag"] = fourcc_string(tag), f"0x{tag:04x}"
        if kind == "video":
            self._video(track, out)
        elif kind == "audio":
            self._audio(codec, track, out)
        if self.format_name.startswith("mov,") or self.format_name == "mpegts":
            if integer(track.get("ID")):
                out["id"] = f"0x{integer(track['ID']):x}"  # track ID, or the PID
        elif self.format_name == "mpeg" and 0 < integer(track.get("ID")) < 0x100:
            out["id"] = f"0x{0x100 | integer(track['ID']):x}"  # the PES start code
        rate = frame_rate(track) if kind == "video" else "0/0"
        if not rate and self.ts:
            rate = self._sps_frame_rate(track)
        if codec == "h264" and self.format_name == "mpegts":
            out["is_avc"], out["nal_length_size"] = "false", "0"  # Annex B start codes
            if "reorder_frames" in self._sps(track):
                out["has_b_frames"] = self._sps(track)["reorder_frames"]
        if rate:
            out["r_frame_rate"] = out["avg_frame_rate"] = rate
        self._time_base(out, track)
        self._times(kind, track, out)
        if "_flv" in track:
            flv_fields(out, track["_flv"], self.flv)
        elif self.avi and integer(track.get("StreamOrder")) < len(self.avi) and str(track.get("StreamOrder", "")).isdigit():
            avi_fields(out, self.avi[integer(track["StreamOrder"])])
        elif self._mkv_track(track) is not None:
            found = t.cast(MkvTrack, self._mkv_track(track))
            if found.codec_id == "V_MPEG4/ISO/AVC" and found.private:
                out.update(avc_config_fields(found.private))
            if found.extradata_size is not None:
                out["extradata_size"] = found.extradata_size
        elif self.mov and self._mov_track(track):
            self._mov_fields(out, t.cast(MovTrack, self._mov_track(track)))
        if out["codec_name"] == "mjpeg":
            self._jpeg_fields(out, track)
        for key, value in (track.get("_theora") or {}).items():
            out.setdefault(key, value)
        add_fixed_fields(out, track, integer(track.get("BitDepth")))
        out["disposition"] = disposition(self._flags(track))
        tags = self._stream_tags(track)
        if tags:
            out["tags"] = tags
        return out

    def data_stream(self, track: dict[str, t.Any], index: int) -> dict[str, t.Any] | None:
        """A QuickTime timecode or metadata track: ffprobe lists it as a codec-less data stream."""
        if "_flv" in track:
            flv_out: dict[str, t.Any] = {"index": index, "codec_type": "data", "codec_tag_string": "[0][0][0][0]", "codec_tag": "0x0000",
                   "r_frame_rate": "0/0", "avg_frame_rate": "0/0", "time_base": "1/1000"}
            flv_fields(flv_out, track["_flv"], self.flv)
            flv_out["disposition"] = disposition()
            return flv_out
        if not self.format_name.startswith("mov,") or "StreamOrder" not in track:
            return None
        out: dict[str, t.Any] = {"index": index, "codec_type": "data"}
        tag = "tmcd" if track.get("Format") == "QuickTime TC" else str(track.get("CodecID", ""))
        if len(tag) == 4:
            out["codec_tag_string"] = tag
            out["codec_tag"] = f"0x{int.from_bytes(tag.encode('latin-1'), 'little'):04x}"
        out["r_frame_rate"] = out["avg_frame_rate"] = "0/0"
        duration = number(track.get("Duration"))
        if duration:
            out["duration"] = f"{duration:.6f}"
        out["disposition"] = disposition(self._flags(track))
        return out

    def _jpeg_fields(self, out: dict[str, t.Any], track: dict[str, t.Any]) -> None:
        """An MJPEG stream's decoder facts, from its first frame's headers."""
        frame = b""
        order = str(track.get("StreamOrder", ""))
        if self.avi and order.isdigit() and int(order) < len(self.avi):
            frame = self.avi[int(order)].first_frame
        elif self.mov and self._mov_track(track) is not None:
            frame = t.cast(MovTrack, self._mov_track(track)).first_frame
        found = describe_image(frame) if frame else {}
        for key in ("profile", "pix_fmt", "color_range", "bits_per_raw_sample"):
            if found.get(key):
                out.setdefault(key, found[key])

    def _flags(self, track: dict[str, t.Any]) -> list[str]:
        """The disposition flags the container keeps: Matroska's default and forced flags,
        and the "enabled" flag of a QuickTime track header (which MediaInfo reports as
        ``Default`` for some track kinds only, and which muxers set on real tracks)."""
        if self.format_name == "matroska,webm":
            return [flag for flag, key in (("default", "Default"), ("forced", "Forced")) if track.get(key) == "Yes"]
        if self.format_name.startswith("mov,"):
            return [] if track.get("Default") == "No" else ["default"]
        return []

    def _codec_tag(self, track: dict[str, t.Any]) -> int | None:
        """The container's codec tag, as libavformat reads it, where MediaInfo shows it."""
        codec_id = str(track.get("CodecID", ""))
        container = self.format_name
        found = self._mkv_track(track)
        if found is not None and found.codec_id == "V_MS/VFW/FOURCC" and found.private and len(found.private) >= 20:
            return int.from_bytes(found.private[16:20], "little")  # BITMAPINFOHEADER biCompression
        if container in ZERO_TAG_FORMATS:
            return 0
        try:
            if container.startswith("mov,") or (container in ("avi", "asf") and track["@type"] == "Video"):
                raw = codec_id[:4].encode("latin-1")
                return int.from_bytes(raw, "little") if len(raw) == 4 else None
            if container in ("wav", "w64") and EXTENSIBLE.match(codec_id):
                return int(codec_id[:8], 16)
            if container in ("avi", "asf", "wav", "w64"):
                return int(codec_id.split("-")[0], 16)  # "FF-2": MediaInfo adds the AAC object type
            if container == "au":
                return AU_TAGS.get(codec_name(track, container))
            if container == "aiff":  # AIFF-C's compression type; plain AIFF has none
                raw = codec_id[:4].encode("latin-1")
                return int.from_bytes(raw, "little") if len(raw) == 4 else 0
            if container == "mpegts":
                ts_found = self._ts_stream(track)
                if ts_found is not None and len(ts_found.registration) == 4:  # the descriptor's format
                    return int.from_bytes(ts_found.registration, "little")
                return int(codec_id.split("-")[0])
        except (ValueError, UnicodeEncodeError):
            pass
        return None

    def _video(self, track: dict[str, t.Any], out: dict[str, t.Any]) -> None:
        width, height = integer(track.get("Width")), integer(track.get("Height"))
        if width and height:
            out["width"], out["height"] = width, height
            if number(track.get("PixelAspectRatio")) == 1.0:
                dar = Fraction(width, height)
                out["sample_aspect_ratio"] = "1:1"
                out["display_aspect_ratio"] = f"{dar.numerator}:{dar.denominator}"
        pix_fmt = pix_fmt_name(out["codec_name"], track)
        if pix_fmt:
            out["pix_fmt"] = pix_fmt
        level = level_number(out["codec_name"], track.get("Format_Level"))
        if level is not None:
            out["level"] = level
        color_range = {"Limited": "tv", "Full": "pc"}.get(str(track.get("colour_range")))
        if color_range:
            out["color_range"] = color_range
        for key, field, table in COLOUR_FIELDS:
            value = table.get(str(track.get(field)))
            if value:
                out[key] = value

    def _audio(self, codec: str, track: dict[str, t.Any], out: dict[str, t.Any]) -> None:
        if codec == "mp2" and self.format_name in ("mpeg", "matroska,webm"):
            out["sample_fmt"] = "s16p"  # what 5.1's ffprobe shows there: the fixed-point decoder's format
        elif codec in names.SAMPLE_FORMATS:
            out["sample_fmt"] = names.SAMPLE_FORMATS[codec]
        elif codec == "flac":
            out["sample_fmt"] = "s16" if integer(track.get("BitDepth")) <= 16 else "s32"
        elif codec in ("wavpack", "alac") and integer(track.get("BitDepth")):
            bits = integer(track.get("BitDepth"))  # planar integer output of the sample's size
            out["sample_fmt"] = "u8p" if bits == 8 and codec == "wavpack" else "s16p" if bits <= 16 else "s32p"
        # FFmpeg's Opus decoder always outputs 48 kHz, whatever the input rate was.
        rate = 48000 if codec == "opus" else integer(track.get("SamplingRate"))
        if rate:
            out["sample_rate"] = str(rate)
        channels = integer(track.get("Channels"))
        extensible = bool(EXTENSIBLE.match(str(track.get("CodecID", ""))))
        if channels:
            out["channels"] = channels
            layout = {1: "mono", 2: "stereo"}.get(channels)
            if extensible:  # the channel mask says; MediaInfo spells it out
                layout = {"C": "mono", "L R": "stereo"}.get(str(track.get("ChannelLayout")))
            if layout and (extensible or not codec.startswith(("pcm_", "adpcm_"))):
                out["channel_layout"] = layout
        out["bits_per_sample"] = names.BITS_PER_SAMPLE.get(codec, 0)
        if codec in ("flac", "wavpack", "alac") or extensible:
            bits = integer(track.get("BitDepth"))  # the stream header's (or wValidBitsPerSample)
            if bits:
                out["bits_per_raw_sample"] = str(bits)

    def _stream_tags(self, track: dict[str, t.Any]) -> dict[str, str]:
        found = self._mov_track(track) if self.mov else None
        if found is not None:
            return mov_tags(found, str(track.get("Title", "")))
        entry = self._mkv_track(track)
        if entry is not None:
            return entry_tags(entry)
        tags: dict[str, str] = {}
        language = str(track.get("Language", ""))
        code = names.LANGUAGES.get(language.split("-")[0], "") if len(language) >= 2 else ""
        if self.format_name.startswith("mov,"):
            code = names.LANGUAGES_T.get(code, code) or "und"
        if code:
            tags["language"] = code
        if track.get("Title"):
            tags["title"] = str(track["Title"])
        return tags


#: MediaInfo General fields -> the container tags ffprobe shows for them.
_TAGS = {"Title": "title", "Performer": "artist", "Album": "album", "Genre": "genre", "Comment": "comment",
         "Encoded_Application": "encoder"}
#: Where FFmpeg shows container tags: Ogg keeps them on its streams.
NO_FORMAT_TAGS = {"ogg"}


def _format_tags(general: dict[str, t.Any], container: str) -> dict[str, str]:
    """The common container tags, named as libavformat names them for ``container``."""
    if container in NO_FORMAT_TAGS:
        return {}
    tags: dict[str, str] = {}
    if container.startswith("mov,") and len(str(general.get("CodecID", ""))) == 4:
        tags["major_brand"] = str(general["CodecID"])
        if general.get("CodecID_Compatible"):
            tags["compatible_brands"] = str(general["CodecID_Compatible"]).replace("/", "")
    for key, tag in _TAGS.items():
        if general.get(key):
            # Matroska tags keep the upper case of their SimpleTag names, except title
            name = tag.upper() if container == "matroska,webm" and tag != "title" else tag
            tags[name] = str(general[key])
    return tags


def _container_timing(stream: dict[str, t.Any], fmt: dict[str, t.Any]) -> None:
    """An attached picture or attachment has no packets: libavformat gives it the file's
    start and duration, in its 1/90000 time base."""
    start, duration = number(fmt.get("start_time")), number(fmt.get("duration"))
    if start is not None:
        stream["start_pts"] = round(start * 90000)
        stream["start_time"] = f"{stream['start_pts'] / 90000:.6f}"
    if duration:
        stream["duration_ts"] = round(duration * 90000)
        stream["duration"] = f"{stream['duration_ts'] / 90000:.6f}"


def _span(streams: list[dict[str, t.Any]]) -> float | None:
    """``update_stream_timings()``: from the earliest start to the latest stream end."""
    timed = [st for st in streams if "duration" in st and st.get("codec_type") in ("audio", "video")
             and not st.get("disposition", {}).get("attached_pic")]
    if not timed:
        return None
    starts = [number(st.get("start_time")) or 0.0 for st in timed]
    return max(start + (number(st["duration"]) or 0.0) for start, st in zip(starts, timed)) - min(starts)


def _stream_order(track: dict[str, t.Any]) -> tuple[int, ...]:
    order = str(track.get("StreamOrder", ""))
    return tuple(int(n) for n in re.findall(r"\d+", order)) or (1 << 30,)

