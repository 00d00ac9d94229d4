import pytest

from assistant.web.sessions import SessionRefused, Sessions


def test_a_session_belongs_to_its_first_user():
    sessions = Sessions()
    mine = sessions.get("abc", "fiona")
    mine.asked.append("How many calls?")
    assert sessions.get("abc", "fiona").asked == ["How many calls?"]
    with pytest.raises(SessionRefused, match="another user"):
        sessions.get("abc", "pat")
    assert not sessions.claim("abc", "pat") and sessions.claim("xyz", "pat")
    with pytest.raises(SessionRefused):
        sessions.get(None, "fiona")


def test_ending_a_user_forgets_their_sessions_and_idle_ones_expire():
    sessions = Sessions(idle_seconds=0.0)
    sessions.get("a", "sam")
    sessions.get("b", "ada")  # a's idle time has passed
    assert sessions.owner("a") is None
    sessions = Sessions(most=2)
    for h in "abc":
        sessions.get(h, "sam")
    assert sessions.owner("a") is None and sessions.owner("c") == "sam"
    sessions.end_user("sam")
    assert sessions.owner("c") is None


def test_one_user_cannot_push_other_users_sessions_out():
    from assistant.web.sessions import Sessions

    sessions = Sessions(most=100, per_user=5)
    sessions.get("fiona-1", "fiona")
    for i in range(500):
        sessions.get(f"pat-{i}", "pat")
    assert sessions.owner("fiona-1") == "fiona"  # still hers
    assert [sessions.owner(f"pat-{i}") for i in (495, 499)] == ["pat", "pat"] and sessions.owner("pat-0") is None
