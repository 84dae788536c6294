"""Which regional calendars `holidays` offers a country: the contact rules' regional-holiday lookup."""

import holidays

from asistente.compliance.contact import _subdivisions


def test_a_country_with_a_calendar_gives_the_librarys_subdivisions():
    for country in ("MX", "ES", "US", "CL", "AR"):
        assert _subdivisions(country) == tuple(holidays.country_holidays(country).subdivisions)
    assert "MD" in _subdivisions("ES") and "CA" in _subdivisions("US")


def test_a_country_without_a_calendar_gives_none():
    assert _subdivisions("XX") is None
    assert _subdivisions("") is None
