"""edu_portal.common.memo.Kept: built once per key, at most `limit` kept, None never kept."""
from edu_portal.common.memo import Kept


def test_a_value_is_built_once_per_key_and_the_memo_is_emptied_when_full():
    built = []

    def build(key):
        def make():
            built.append(key)
            return f"value {key}"
        return make

    kept = Kept(limit=3)
    assert [kept.get(k, build(k)) for k in ("a", "b", "a", "c", "b")] == [
        "value a", "value b", "value a", "value c", "value b"]
    assert built == ["a", "b", "c"]
    kept.get("d", build("d"))  # full: emptied, then d kept alone
    assert kept.get("a", build("a")) == "value a" and built == ["a", "b", "c", "d", "a"]
    assert len(kept.entries) == 2


def test_none_is_built_again():
    calls = []
    kept = Kept()
    for _ in range(2):
        assert kept.get("k", lambda: calls.append(1)) is None
    assert len(calls) == 2
