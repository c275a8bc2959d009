"""Who may read the trail: its pages and, on a record's page, who saw the record's full ID number."""
from accounts.models import Role


def may_read_trail(user) -> bool:
    """The ministry only: the trail spans every province (it names records of all of them, and who
    read what), and it has no province of its own to narrow it by."""
    return bool(user.is_authenticated and (user.role == Role.MINISTRY or user.is_superuser))
