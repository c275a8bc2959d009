"""Which URLs a subscription may send to.

Production (WEBHOOKS_ALLOW_PRIVATE_TARGETS off): https only, to a host whose every address is public. A
webhook is a request our servers make to an address a client chose: without this a token could make the
portal call its own database, Redis or the cloud's metadata service (server-side request forgery).
Dev and test (on): also plain http, but then only to loopback or private addresses (a receiver on the
developer's machine or the test's thread); https anywhere. Checked when a subscription is written and again
before every attempt (the name may point elsewhere by then).
"""
from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from edu_portal.common.exceptions import AppError

URL_MAX = 500
# A DNS name (letters, digits, hyphens, dots) or an IP address: anything else is not looked up at all.
HOST_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$")


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _host_valid(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(HOST_NAME.match(host))
    return True


def _local(address) -> bool:
    return address.is_private or address.is_loopback


def _public(address) -> bool:
    return address.is_global and not address.is_multicast


def target_check(url: str) -> str:
    """The URL as stored, or an AppError (code "invalid_url") saying what is wrong with it."""
    url = (url or "").strip()
    allow_local = getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        parts, port = None, 0
    if parts is None or not url or len(url) > URL_MAX or not parts.hostname or not _host_valid(parts.hostname):
        raise _invalid(_("Địa chỉ nhận không hợp lệ (dạng https://máy-chủ/đường-dẫn, tối đa 500 ký tự)."))
    if parts.username or parts.password:
        raise _invalid(_("Địa chỉ nhận không được chứa tên đăng nhập hay mật khẩu."))
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not allow_local):
        raise _invalid(_("Địa chỉ nhận phải dùng https."))
    addresses = _addresses(parts.hostname, port)
    if not addresses:
        raise _invalid(_("Không phân giải được tên máy chủ của địa chỉ nhận."))
    if parts.scheme == "http" and not all(_local(a) for a in addresses):
        raise _invalid(_("Chỉ dùng http với máy chủ nội bộ (môi trường phát triển, kiểm thử); hãy dùng https."))
    if not allow_local and not all(_public(a) for a in addresses):
        raise _invalid(_("Địa chỉ nhận phải là máy chủ công khai, không phải địa chỉ nội bộ."))
    return url


def _invalid(message: str) -> AppError:
    return AppError(message, code="invalid_url", details={"url": [message]})
