"""A reviewer's attacks on restSearch and events/index filters."""

import pytest

import harness

IMPOSSIBLE_DAYS = ["2017-02-29", "2017-02-30", "2017-04-31",
                   "2017-06-31 10:00:00"]


# Before the fix strptime() took these and timegm() rolled them over
# into the next month, so a typo in a date filtered on another day.
@pytest.mark.parametrize("day", IMPOSSIBLE_DAYS)
@pytest.mark.parametrize("name", ["from", "to", "timestamp",
                                  "publish_timestamp", "event_timestamp"])
def test_impossible_day_is_refused(api, name, day):
    response = api.post("/attributes/restSearch", json={name: day})
    body = harness.assert_misp_error(response, 400)
    assert f"'{name}'" in body["message"] and day in body["message"], body


@pytest.mark.parametrize("name", ["datefrom", "dateuntil"])
def test_impossible_day_is_refused_by_events_index(api, name):
    response = api.post("/events/index", json={name: "2017-02-30"})
    body = harness.assert_misp_error(response, 400)
    assert f"'{name}'" in body["message"], body


@pytest.mark.parametrize("day", ["2016-02-29", "2017-02-28", "2017-12-31",
                                 "2017-12-31 23:59:59"])
def test_real_days_are_taken(api, day):
    response = api.post("/attributes/restSearch", json={"from": day})
    assert response.status_code == 200, response.text
