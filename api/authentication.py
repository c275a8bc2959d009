"""`Authorization: Token <secret>`: the token's hash is looked up, never the secret itself."""
from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.scope import Scope

from .models import ApiToken, token_hash
from .profiles import profile_refusal

# Writing last_used_at on every request would turn every read into a write; a minute is precise
# enough to tell an operator whether a client system is still in use.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
MAX_CACHED_TOKENS = 10_000
_TOKENS: dict[str, tuple[float, ApiToken]] = {}


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2 or len(header[1]) > MAX_TOKEN_LENGTH:
            raise exceptions.AuthenticationFailed("Tiêu đề Authorization phải có dạng 'Token <mã truy cập>'.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Mã truy cập không hợp lệ.") from exc
        token = _valid_token(token_hash(secret))
        # The token's profile (api.profiles): the parts of the API it reaches, before any view's own rules.
        refusal = profile_refusal(token.profile, path=request.path, method=request.method)
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


def _valid_token(key_hash: str) -> ApiToken:
    """The token row with its user, from this process's memory for API_TOKEN_CACHE_SECONDS.

    A busy client sends thousands of requests a minute; reading the token, its user and their
    school each time would be most of a statistics request's database work. Revoking clears the
    entry in the revoking process at once; other processes drop it within the cache time.
    """
    ttl = getattr(settings, "API_TOKEN_CACHE_SECONDS", 5)
    now = time.monotonic()
    cached = _TOKENS.get(key_hash)
    if cached is not None and now - cached[0] < ttl:
        return cached[1]
    token = (ApiToken.objects.select_related("user", "user__school", "school", "created_by", "created_by__school", "profile")
             .filter(key_hash=key_hash, revoked_at__isnull=True).first())
    if token is None or not token.user.is_active:
        _TOKENS.pop(key_hash, None)
        raise exceptions.AuthenticationFailed("Mã truy cập không hợp lệ hoặc đã bị thu hồi.")
    if not _still_within_user_scope(token):
        _TOKENS.pop(key_hash, None)
        raise exceptions.AuthenticationFailed("Phạm vi của mã truy cập không còn nằm trong phạm vi của "
                                              "người dùng; hãy cấp mã mới.")
    if ttl > 0:
        if len(_TOKENS) >= MAX_CACHED_TOKENS:
            _TOKENS.clear()
        _TOKENS[key_hash] = (now, token)
    return token


def forget_token(key_hash: str) -> None:
    _TOKENS.pop(key_hash, None)


def _still_within_user_scope(token: ApiToken) -> bool:
    """A user moved to another province or school must not keep reading the old one's records;
    nor may the user who issued the token for someone else (they received its secret)."""
    scope = token.scope()
    if not Scope.for_user(token.user).includes(scope):
        return False
    issuer = token.created_by if token.issued_by_other else None
    return issuer is None or (issuer.is_active and Scope.for_user(issuer).includes(scope))
