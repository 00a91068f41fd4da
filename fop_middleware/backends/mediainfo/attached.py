"""Attached pictures and Matroska attachments, listed the way libavformat lists them.

ffprobe shows an embedded cover (ID3 APIC, MP4 ``covr``, a FLAC/Vorbis picture block,
a Matroska picture attachment) as a video stream after the others, and a Matroska font
or other file as an attachment stream; MediaInfo reports them on its General track.
"""

from __future__ import annotations

import typing as t
from fractions import Fraction

from ...avinfo import names
from .codecs import integer, number, pix_fmt_name
from .fields import add_fixed_fields, disposition
from .pictures import describe_picture

#: Attachment file extensions Matroska readers take for pictures and fonts.
PICTURE_EXTENSIONS = {"jpg", "jpeg", "png"}
FONT_EXTENSIONS = {"ttf": "ttf", "ttc": "ttf", "otf": "otf"}


def attachments(general: dict[str, t.Any], images: list[dict[str, t.Any]], container: str, filenames: list[str],
            first_index: int) -> list[dict[str, t.Any]]:
    """Matroska attachments, which ffprobe lists after the tracks: pictures as video
    streams, fonts and other files as attachment streams."""
    found = iter(covers(general, images, container, first_index))
    out: list[dict[str, t.Any]] = []
    for filename in filenames:
        extension = filename.rpartition(".")[2].lower()
        stream: dict[str, t.Any] = {}
        if extension in PICTURE_EXTENSIONS:
            stream = next(found, {"codec_type": "video"})
        else:
            codec = FONT_EXTENSIONS.get(extension)
            if codec:
                stream["codec_name"] = codec
                stream["codec_long_name"] = names.CODEC_LONG_NAMES[codec]
            stream["codec_type"] = "attachment"
            stream["codec_tag_string"], stream["codec_tag"] = "[0][0][0][0]", "0x0000"
            stream["r_frame_rate"], stream["avg_frame_rate"] = "0/0", "0/0"
            stream["time_base"] = "1/90000"
            _file_duration(general, stream)
        stream = {"index": first_index + len(out), **{k: v for k, v in stream.items() if k != "index"}}
        stream.setdefault("disposition", disposition())
        stream.setdefault("tags", {})["filename"] = filename
        out.append(stream)
    return out


def covers(general: dict[str, t.Any], images: list[dict[str, t.Any]], container: str,
       first_index: int) -> list[dict[str, t.Any]]:
    """Embedded cover pictures, which ffprobe lists as video streams after the others."""
    count = len(str(general.get("Cover", "")).split(" / ")) if general.get("Cover") else len(images)
    datas = str(general.get("Cover_Data", "")).split(" / ") if general.get("Cover_Data") else []
    mimes = str(general.get("Cover_Mime", "")).split(" / ")
    out = []
    for n in range(count):
        track = images[n] if n < len(images) else {}
        picture = describe_picture(datas[n]) if n < len(datas) else {}
        if not picture and n < len(datas) and container.startswith("mov,"):
            # bytes no decoder reads, under the JPEG type code every muxer writes
            picture = {"codec_name": "mjpeg", "width": 0, "height": 0}
        if not picture:
            fmt = track.get("Format") or {"image/jpeg": "JPEG", "image/png": "PNG"}.get(mimes[n] if n < len(mimes) else "")
            codec = {"JPEG": "mjpeg", "PNG": "png"}.get(str(fmt))
            picture = {"codec_name": codec} if codec else {}
            if codec and integer(track.get("Width")) and integer(track.get("Height")):
                picture.update(width=integer(track["Width"]), height=integer(track["Height"]))
                picture["pix_fmt"] = pix_fmt_name(codec, track)
        stream: dict[str, t.Any] = {"index": first_index + n}
        if picture.get("codec_name"):
            stream["codec_name"] = picture["codec_name"]
            stream["codec_long_name"] = names.CODEC_LONG_NAMES[picture["codec_name"]]
        if picture.get("profile"):
            stream["profile"] = picture["profile"]
        # libavformat's attached pictures: no codec tag, a 90 kHz time base, the
        # file's duration, and the picture's own size and pixel format
        stream["codec_type"] = "video"
        stream["codec_tag_string"], stream["codec_tag"] = "[0][0][0][0]", "0x0000"
        if "width" in picture and "height" in picture:
            stream["width"], stream["height"] = picture["width"], picture["height"]
            stream["coded_width"], stream["coded_height"] = picture["width"], picture["height"]
        if picture.get("aspect") and picture.get("width") and picture.get("height"):
            sar = Fraction(*picture["aspect"])
            dar = Fraction(picture["width"] * sar.numerator, picture["height"] * sar.denominator)
            stream["sample_aspect_ratio"] = f"{sar.numerator}:{sar.denominator}"
            stream["display_aspect_ratio"] = f"{dar.numerator}:{dar.denominator}"
        for key in ("pix_fmt", "color_range", "bits_per_raw_sample"):
            if picture.get(key):
                stream[key] = picture[key]
        if container.startswith("mov,"):
            stream["id"] = "0x0"  # the mov demuxer shows ids; a cover has none
        stream["r_frame_rate"], stream["avg_frame_rate"] = "90000/1", "0/0"
        stream["time_base"] = "1/90000"
        _file_duration(general, stream)
        add_fixed_fields(stream, {})
        stream["disposition"] = disposition(["attached_pic"])
        out.append(stream)
    return out


def _file_duration(general: dict[str, t.Any], stream: dict[str, t.Any]) -> None:
    duration = number(general.get("Duration"))
    if duration:
        stream["duration"] = f"{duration:.6f}"
