"""A middleware to put above ``DjangoFopMiddleware``: what the request looks like before and after it."""

from __future__ import annotations

import typing as t

from django.http import HttpRequest, HttpResponseBase

SEEN: list[dict[str, t.Any]] = []


class RequestRecorder:
    """Reads ``request.GET`` first (so Django caches it), then records the request after the response."""

    def __init__(self, get_response: t.Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        before = sorted(request.GET)
        response = self.get_response(request)
        SEEN.append({"before": before, "after": sorted(request.GET), "method": request.method, "query": request.META["QUERY_STRING"]})
        return response
