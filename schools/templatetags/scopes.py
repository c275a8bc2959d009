"""`{{ scope|scope_name }}`: a scope's name for people (a Scope is a plain value and does not query;
schools.selectors.scope_describe does)."""
from django import template

from accounts.scope import Scope
from schools.selectors import scope_describe

register = template.Library()


@register.filter
def scope_name(scope: Scope | None) -> str:
    return scope_describe(scope) if scope is not None else ""
