from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import lockout


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, telling the person plainly when their account is locked and for how long."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
    }

    def clean(self):
        # The backend decides (it reserves the attempt before the password is checked); the
        # form only reads the lock afterwards, to say why and for how long.
        try:
            return super().clean()
        except forms.ValidationError:
            state = lockout.lock_state(username=self.cleaned_data.get("username"), ip=lockout.client_ip(self.request))
            if not state.locked:
                raise
        raise forms.ValidationError(self.locked_message(state.minutes), code="locked_out")

    @staticmethod
    def locked_message(minutes: int) -> str:
        return ngettext(
            "Bạn đã nhập sai quá nhiều lần nên tạm thời không thể đăng nhập. "
            "Vui lòng thử lại sau %(minutes)d phút hoặc liên hệ quản trị viên.",
            "Bạn đã nhập sai quá nhiều lần nên tạm thời không thể đăng nhập. "
            "Vui lòng thử lại sau %(minutes)d phút hoặc liên hệ quản trị viên.",
            minutes,
        ) % {"minutes": minutes}
