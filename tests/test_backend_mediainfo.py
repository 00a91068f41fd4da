"""The ``mediainfo`` avinfo backend: the contract, plus the mapping rules it relies on."""

from __future__ import annotations

from avinfo_contract import AvinfoContract


class TestMediainfo(AvinfoContract):
    backend_name = "mediainfo"
