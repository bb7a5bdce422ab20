"""The real-LRS fixture: Ralph on 127.0.0.1 takes batches of statements, gives them back by
activity, registration, time and page, keeps a retried statement once, refuses bad
credentials, allows the content's origin, and survives an outage with its data."""
from __future__ import annotations

import json
import urllib.error
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from lrs import LrsClient, basic_auth
from support import EMPATHY
from tincan import Activity, ActivityDefinition, Agent, AgentAccount, Context, LanguageMap, Result, Statement, Verb

from scorm_builder.load import load_course
from scorm_builder.xapi import activity_definitions, iris_for
from scorm_builder.xapi.vocabulary import VERBS


LMS = "https://lms.example.org"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def course():
    loaded, problems = load_course(EMPATHY)
    assert loaded is not None, problems
    return loaded


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def statement(verb: str, activity: str, registration: str, moment: datetime, learner: str = "learner-1") -> dict:
    """A statement as plain JSON, as the player will send it."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": LMS, "name": learner}},
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity},
        "context": {"registration": registration},
        "timestamp": stamp(moment),
    }


def answered(course, qid: str, response: str, registration: str, moment: datetime) -> dict:
    """An `answered` statement built with the tincan library, with our interaction definition."""
    iris = iris_for(course)
    iri = iris.question(qid)
    built = Statement(
        id=uuid.uuid4(),
        actor=Agent(account=AgentAccount(home_page=LMS, name="learner-1")),
        verb=Verb(id=VERBS["answered"], display=LanguageMap({"en-US": "answered"})),
        object=Activity(id=iri, definition=ActivityDefinition(activity_definitions(course)[iri])),
        result=Result(response=response, success=True, duration=timedelta(seconds=12.5)),
        context=Context(registration=uuid.UUID(registration)),
        timestamp=moment,
    )
    data = json.loads(built.to_json())
    data.pop("version")  # tincan writes "1.0.3"; a statement may only carry 1.0.0, or nothing
    return data


def ids(statements: list[dict]) -> list[str]:
    return [s["id"] for s in statements]


def test_batches_come_back_by_activity_registration_time_and_page(course, lrs_client):
    iris = iris_for(course)
    registration = str(uuid.uuid4())
    pages = [statement("experienced", iris.page(f"why-empathy-p{n}"), registration, NOW - timedelta(minutes=10, seconds=-n))
             for n in range(1, 5)]
    answers = [answered(course, "kc-empathy-response", "b", registration, NOW - timedelta(minutes=5)),
               answered(course, "kc-empathy-agree", "false", registration, NOW - timedelta(minutes=4))]
    done = [statement("completed", iris.course, registration, NOW - timedelta(minutes=1))]
    other = [statement("experienced", iris.page("why-empathy-p1"), str(uuid.uuid4()), NOW)]
    for batch in (pages, answers, done, other):
        response = lrs_client.post_statements(batch)
        assert response.status == 200, response.body
        assert response.json() == ids(batch)

    mine = pages + answers + done
    assert sorted(ids(lrs_client.all_statements(registration=registration))) == sorted(ids(mine))

    question = iris.question("kc-empathy-response")
    by_activity = lrs_client.all_statements(activity=question, registration=registration)
    assert ids(by_activity) == [answers[0]["id"]]
    stored = by_activity[0]
    assert stored["object"]["definition"] == activity_definitions(course)[question]
    assert stored["object"]["definition"]["correctResponsesPattern"] == ["b"]
    assert stored["result"]["response"] == "b" and stored["result"]["duration"] == "PT12.5S"

    by_verb = lrs_client.all_statements(verb=VERBS["answered"], registration=registration)
    assert sorted(ids(by_verb)) == sorted(ids(answers))

    since = lrs_client.all_statements(registration=registration, since=stamp(NOW - timedelta(minutes=6)))
    assert sorted(ids(since)) == sorted(ids(answers + done))

    first = lrs_client.get_statements(registration=registration, limit=3)
    assert first.status == 200 and len(first.json()["statements"]) == 3 and first.json()["more"]
    paged = lrs_client.all_statements(registration=registration, limit=3)
    assert sorted(ids(paged)) == sorted(ids(mine))  # every statement once, over three pages


def test_a_retried_statement_is_stored_once(course, lrs, lrs_client):
    registration = str(uuid.uuid4())
    one = statement("initialized", iris_for(course).course, registration, NOW - timedelta(seconds=30))
    assert lrs_client.put_statement(one).status == 204
    assert lrs_client.put_statement(one).status == 204  # the same id and content: no change
    batch = [statement("experienced", iris_for(course).page("wrap-up-p1"), registration, NOW - timedelta(seconds=20)),
             statement("experienced", iris_for(course).page("wrap-up-p2"), registration, NOW - timedelta(seconds=10))]
    assert lrs_client.post_statements(batch).status == 200
    retry = lrs_client.post_statements(batch)  # the response was lost, the queue sends it again
    assert retry.status in (200, 204), retry.body  # Ralph answers 204 when nothing was new
    stored = [s["id"] for s in lrs.stored()]
    assert all(stored.count(s["id"]) == 1 for s in [one, *batch])
    assert len(lrs_client.all_statements(registration=registration)) == 3
    changed = dict(one, verb={"id": VERBS["terminated"], "display": {"en-US": "terminated"}})
    assert lrs_client.put_statement(changed).status == 409  # same id, other content


def test_a_statement_without_a_verb_is_refused_and_not_stored(course, lrs, lrs_client):
    bad = statement("answered", iris_for(course).question("q-trust-order"), str(uuid.uuid4()), NOW)
    del bad["verb"]
    response = lrs_client.post_statements([bad])
    assert 400 <= response.status < 500  # Ralph 5.1: 422
    assert bad["id"] not in ids(lrs.stored())


def test_ralph_stores_some_invalid_statements_so_the_tests_need_a_validator(course, lrs_client):
    """Ralph's validation is lax (see tests/lrs/README.md): this is why every statement in the
    end-to-end tests must also pass an independent xAPI validator."""
    lax = statement("answered", iris_for(course).question("q-trust-order"), str(uuid.uuid4()), NOW)
    lax["unknownProperty"] = True
    assert lrs_client.post_statements([lax]).status == 200


def test_credentials_are_checked(lrs):
    body = statement("experienced", "https://courses.example.org/xapi/x", str(uuid.uuid4()), NOW)
    wrong = LrsClient(lrs.endpoint, basic_auth(lrs.admin.username, "not-the-password"))
    assert wrong.get_statements().status == 401
    assert wrong.post_statements([body]).status == 401
    assert LrsClient(lrs.endpoint, None).get_statements().status == 401
    writer = LrsClient(lrs.endpoint, lrs.writer.authorization)
    assert writer.post_statements([body]).status == 200  # a write-only key writes...
    assert writer.get_statements().status in (401, 403)  # ...and reads nothing (Ralph: 401)


def test_cors_allows_the_content_origin_only(lrs, lrs_client, lrs_content_origin):
    preflight = {"Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version"}
    allowed = lrs_client.request("OPTIONS", "statements", headers={"Origin": lrs_content_origin, **preflight})
    assert allowed.status == 200
    headers = {k.lower(): v for k, v in allowed.headers.items()}
    assert headers["access-control-allow-origin"] == lrs_content_origin
    assert "x-experience-api-version" in headers["access-control-allow-headers"].lower()
    assert "PUT" in headers["access-control-allow-methods"]
    other = lrs_client.request("OPTIONS", "statements", headers={"Origin": "http://127.0.0.1:1", **preflight})
    assert "access-control-allow-origin" not in {k.lower() for k in other.headers}


def test_an_outage_refuses_connections_and_keeps_the_data(course, lrs, lrs_client):
    registration = str(uuid.uuid4())
    before = statement("experienced", iris_for(course).page("wrap-up-p3"), registration, NOW - timedelta(seconds=5))
    assert lrs_client.post_statements([before]).status == 200
    during = statement("answered", iris_for(course).question("q-trust-order"), registration, NOW)
    with lrs.down():
        assert not lrs.running
        with pytest.raises(urllib.error.URLError):
            LrsClient(lrs.endpoint, lrs.admin.authorization, timeout=2).post_statements([during])
    assert lrs.running
    assert lrs_client.post_statements([during]).status == 200  # the queue's retry, after the outage
    assert sorted(ids(lrs_client.all_statements(registration=registration))) == sorted([before["id"], during["id"]])
