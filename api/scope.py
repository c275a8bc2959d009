"""The scope of an API request: the token's scope for token clients, the user's for sessions."""
from accounts.scope import Scope


def request_scope(request) -> Scope:
    token = getattr(request, "auth", None)
    if token is not None and hasattr(token, "scope"):
        return token.scope()
    return Scope.for_user(request.user)
