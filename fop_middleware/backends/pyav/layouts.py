"""Channel layout names as FFmpeg 5.1 described them.

Newer FFmpeg keeps the channel order a MOV ``chan`` box gives, as a custom-order layout
described ``"8 channels (FL+FR+FC+LFE+SL+SR+BL+BR)"``; 5.1 turned the same labels into a
channel mask, described by its standard name (``"7.1"``), else by its channels in mask
order (``av_channel_layout_describe()`` of 5.1).
"""

from __future__ import annotations

import re

#: ``AV_CHAN_*`` numbers of the channel names (libavutil/channel_layout.h).
CHANNELS = {
    "FL": 0, "FR": 1, "FC": 2, "LFE": 3, "BL": 4, "BR": 5, "FLC": 6, "FRC": 7, "BC": 8, "SL": 9,
    "SR": 10, "TC": 11, "TFL": 12, "TFC": 13, "TFR": 14, "TBL": 15, "TBC": 16, "TBR": 17,
    "DL": 29, "DR": 30, "WL": 31, "WR": 32, "SDL": 33, "SDR": 34, "LFE2": 35, "TSL": 36,
    "TSR": 37, "BFC": 38, "BFL": 39, "BFR": 40,
}

#: ``channel_layout_map`` of FFmpeg 5.1 (libavutil/channel_layout.c): name -> channels.
_STANDARD = (
    ("mono", "FC"), ("stereo", "FL+FR"), ("2.1", "FL+FR+LFE"), ("3.0", "FL+FR+FC"),
    ("3.0(back)", "FL+FR+BC"), ("4.0", "FL+FR+FC+BC"), ("quad", "FL+FR+BL+BR"),
    ("quad(side)", "FL+FR+SL+SR"), ("3.1", "FL+FR+FC+LFE"), ("5.0", "FL+FR+FC+BL+BR"),
    ("5.0(side)", "FL+FR+FC+SL+SR"), ("4.1", "FL+FR+FC+LFE+BC"), ("5.1", "FL+FR+FC+LFE+BL+BR"),
    ("5.1(side)", "FL+FR+FC+LFE+SL+SR"), ("6.0", "FL+FR+FC+BC+SL+SR"),
    ("6.0(front)", "FL+FR+FLC+FRC+SL+SR"), ("hexagonal", "FL+FR+FC+BL+BR+BC"),
    ("6.1", "FL+FR+FC+LFE+BC+SL+SR"), ("6.1(back)", "FL+FR+FC+LFE+BL+BR+BC"),
    ("6.1(front)", "FL+FR+LFE+FLC+FRC+SL+SR"), ("7.0", "FL+FR+FC+BL+BR+SL+SR"),
    ("7.0(front)", "FL+FR+FC+FLC+FRC+SL+SR"), ("7.1", "FL+FR+FC+LFE+BL+BR+SL+SR"),
    ("7.1(wide)", "FL+FR+FC+LFE+BL+BR+FLC+FRC"), ("7.1(wide-side)", "FL+FR+FC+LFE+FLC+FRC+SL+SR"),
    ("7.1(top)", "FL+FR+FC+LFE+BL+BR+TFL+TFR"), ("octagonal", "FL+FR+FC+BL+BR+BC+SL+SR"),
    ("downmix", "DL+DR"),
)


def _mask(names: list[str]) -> int:
    return sum(1 << CHANNELS[n] for n in names)


STANDARD_BY_MASK = {_mask(channels.split("+")): name for name, channels in reversed(_STANDARD)}
_CUSTOM = re.compile(r"^(\d+) channels \(([A-Z0-9+]+)\)$")


def as_51(description: str) -> str:
    """A custom-order description as 5.1's channel mask description; others unchanged."""
    match = _CUSTOM.match(description)
    if match is None:
        return description
    names = match[2].split("+")
    if any(n not in CHANNELS for n in names) or len(set(names)) != len(names):
        return description
    mask = _mask(names)
    standard = STANDARD_BY_MASK.get(mask)
    if standard is not None:
        return standard
    return f"{len(names)} channels ({'+'.join(sorted(names, key=CHANNELS.__getitem__))})"
