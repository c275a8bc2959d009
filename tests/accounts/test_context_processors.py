"""The navigation bar's entries (accounts/context_processors.py): what each role may use, the current page's
entry marked, the addresses the URLconf gives (reversed once per process, then reused)."""
from django.test import RequestFactory
from django.urls import reverse

from accounts.context_processors import scope


def _nav(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return scope(request)


def _urls(context):
    return [i["url"] for i in context["nav_records"]] + [i["url"] for i in context["nav_items"]]


def test_a_role_sees_only_its_entries_each_at_its_address(ministry_user, school_user):
    ministry, school = _urls(_nav(ministry_user)), _urls(_nav(school_user))
    assert reverse("audit:events") in ministry and reverse("api:tokens") in ministry
    assert reverse("audit:events") not in school and reverse("api:tokens") not in school
    assert reverse("facilities:mine") in school and reverse("facilities:mine") not in ministry
    # Asked again (the addresses now from the process's memo): the same entries.
    assert _urls(_nav(ministry_user)) == ministry and _urls(_nav(school_user)) == school


def test_the_longest_matching_entry_is_the_current_one(ministry_user):
    context = _nav(ministry_user, reverse("students:transfers"))
    active = [i for i in context["nav_records"] + context["nav_items"] if i["active"]]
    assert [i["url"] for i in active] == [reverse("students:transfers")]
    assert [g["key"] for g in context["nav_groups"] if g["active"]] == ["records"]
    assert not any(i["active"] for i in _nav(ministry_user, "/nowhere/")["nav_items"])


def test_the_bar_kept_per_process_is_the_bar_of_each_role_page_and_language(ministry_user, school_user):
    """nav_entries keeps each bar it built (by language, entries and current one): whichever order users, pages
    and languages come in, each gets the bar built afresh for them."""
    from django.utils import translation

    from edu_portal.common.templatetags import portal

    cases = [(user, path, language) for language in ("vi", "en") for user in (ministry_user, school_user)
             for path in ("/", reverse("students:transfers"), reverse("dashboards:overview"))]
    portal._NAV.clear()
    built = {}
    for user, path, language in cases + cases[::-1]:
        with translation.override(language):
            context = _nav(user, path)
            fresh = portal._nav_html(context["nav_records"], context["nav_groups"])
            assert portal.nav_entries(context) == fresh, (user.username, path, language)
        built.setdefault((user.username, path, language), fresh)
    # The cases differ from one another where they should: a role's entries, the current page, the language.
    assert len(set(built.values())) == len(built)
    assert "Học sinh" in built[(ministry_user.username, "/", "vi")]
    assert "Học sinh" not in built[(ministry_user.username, "/", "en")]
