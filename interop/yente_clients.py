"""Drives a running Vigil with yente's own client libraries, as a yente
user would: the `yente-client` SDK and nomenklatura's `YenteEnricher`
(both from PyPI), and checks every /match response against the response
models of the `yente` package itself.

Run by crates/vigil/tests/yente_clients.rs, which starts Vigil with the
records this script expects (see there); by hand:

    python yente_clients.py --url http://127.0.0.1:8080/v1 --token vgl_...

The token is a screener's made with a default purpose: yente's clients
cannot send X-Vigil-Purpose. Exits non-zero with one line per failure.
"""

import argparse
import os
import shutil
import sys
import tempfile

# nomenklatura reads where its cache lives when it is first imported (yente
# imports it): set before any import, or it writes nomenklatura.db into the
# working directory.
CACHE_DIR = tempfile.mkdtemp(prefix="vigil-nomenklatura-")
os.environ["NOMENKLATURA_DB_URL"] = f"sqlite:///{CACHE_DIR}/nomenklatura.db"

import httpx  # noqa: E402
from yente.data.common import EntityMatchResponse, ErrorResponse  # noqa: E402

FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def raw_match(url, token, body, params=None, dataset="default"):
    """A /match call as yente-client makes it, without the SDK's unwrapping,
    so that the whole response can be checked against yente's model."""
    return httpx.post(
        f"{url}/match/{dataset}",
        params=params or {},
        json=body,
        headers={"Authorization": f"ApiKey {token}"},
        timeout=30,
    )


def query(name, **props):
    return {"schema": "Person", "properties": {"name": [name], **props}}


def yente_client_checks(url, token):
    from yente_client import Client
    from yente_client.entities import Company, Person
    from yente_client.exceptions import AuthenticationError, NotFoundError

    with Client(api_key=token, base_url=url) as client:
        found = client.match(Person(name=["Abu Mohammed al-Adnani"], birthDate=["1977"]))
        check(found.top is not None and found.top.match, "yente-client: the listed person is a match")
        check(found.top is not None and "Adnani" in found.top.caption,
              f"yente-client: caption names him ({found.top.caption if found.top else None})")
        check(found.total.value >= 1, "yente-client: total counts the match")
        check(found.query.get("schema") == "Person", "yente-client: the query is echoed")
        check(all(f.score is not None for f in found.top.explanations.values()),
              "yente-client: every feature has a score")

        # A wrong birth date lowers the score below a strict threshold, but
        # not below the cutoff: the result is shown, not as a match.
        strict = client.match(Person(name=["Abu Mohammed al-Adnani"], birthDate=["1950-01-01"]),
                              threshold=0.95, cutoff=0.3)
        check(bool(strict.results) and not strict.results[0].match,
              "yente-client: match follows the threshold given "
              f"({[(r.score, r.match) for r in strict.results]})")

        by_topic = client.match(Person(name=["Abu Mohammed al-Adnani"]), topics=["sanction"])
        check(not by_topic.results, "yente-client: topics filter out a record without the topic")
        by_topic = client.match(Person(name=["Abu Mohammed al-Adnani"]), topics=["crime.terror"])
        check(bool(by_topic.results), "yente-client: topics keep a record with the topic")

        top_id = found.top.id
        excluded = client.match(Person(name=["Abu Mohammed al-Adnani"]), exclude_entities=[top_id])
        check(all(r.id != top_id for r in excluded.results), "yente-client: exclude_entities")

        in_deu = client.match(Person(name=["Abu Mohammed al-Adnani"]), datasets=["DEU"])
        check(bool(in_deu.results), "yente-client: an agency's code is a dataset")
        in_fra = client.match(Person(name=["Abu Mohammed al-Adnani"]), datasets=["FRA"])
        check(not in_fra.results, "yente-client: another agency's dataset holds none of DEU's")

        later = client.match(Person(name=["Abu Mohammed al-Adnani"]), changed_since="2999-01-01")
        check(not later.results, "yente-client: changed_since")

        company = client.match(Company(name=["Al-Adnani Trading LLC"]))
        check(company.results == [] and company.total.value == 0,
              "yente-client: a Company query has an empty result, not an error")

        hidden = client.match(Person(name=["Karim Benhaddou"], birthDate=["1990-02-11"]))
        top = hidden.top
        check(top is not None and top.match and top.properties == {},
              "yente-client: a hit-only record shows no property")

        try:
            client.match(Person(name=["x"]), datasets=["nonexistent"])
            check(False, "yente-client: an unknown dataset is 404")
        except NotFoundError:
            check(True, "yente-client: an unknown dataset is 404")

    with Client(api_key="vgl_wrong", base_url=url) as client:
        try:
            client.match(Person(name=["x"]))
            check(False, "yente-client: a wrong key is refused")
        except AuthenticationError:
            check(True, "yente-client: a wrong key is refused")


def model_checks(url, token):
    body = {"queries": {
        "a": query("Abu Mohammed al-Adnani", nationality=["Syria"], birthDate=["1977-05-01"]),
        "b": {"schema": "LegalEntity", "properties": {"name": ["Abu Mohammed al-Adnani"]}},
        "c": {"schema": "Company", "properties": {"name": ["Acme"]}},
        "d": query("Karim Benhaddou", birthDate=["1990-02-11"]),
    }}
    params = {"threshold": "0.7", "cutoff": "0.5", "limit": "500", "algorithm": "logic-v2",
              "fuzzy": "False", "topics": ["crime.terror", "sanction"],
              "include_dataset": ["DEU", "FRA"], "exclude_dataset": ["ITA"],
              "exclude_schema": ["Company"], "changed_since": "2000-01-01T00:00:00",
              "exclude_entity_ids": ["DEU-none"]}
    response = raw_match(url, token, body, params)
    check(response.status_code == 200, f"every yente /match parameter is accepted ({response.status_code} {response.text[:200]})")
    if response.status_code == 200:
        try:
            parsed = EntityMatchResponse.model_validate(response.json())
            check(True, "the response validates against yente's EntityMatchResponse")
            a = parsed.responses["a"]
            check(a.query.properties.get("nationality") == ["sy"],
                  f"country names are cleaned as yente does ({a.query.properties.get('nationality')})")
            check(bool(parsed.responses["b"].results), "a LegalEntity query is matched against persons")
            check(parsed.responses["c"].results == [], "a Company query is answered, empty")
            check(response.headers.get("x-batch-size") == "4", "x-batch-size")
            for r in a.results:
                check(r.match == (r.score >= 0.7), f"match is score >= threshold ({r.score})")
        except Exception as exc:  # noqa: BLE001 - reported as a failure
            check(False, f"the response validates against yente's EntityMatchResponse: {exc}")

    for name, body, status in [
        ("an empty query set", {"queries": {}}, 400),
        ("a query of an unknown schema", {"queries": {"x": {"schema": "Persn", "properties": {}}}}, 400),
    ]:
        response = raw_match(url, token, body)
        check(response.status_code == status, f"{name} is {status} ({response.status_code})")
        ErrorResponse.model_validate(response.json())
    response = raw_match(url, token, {"queries": {"x": query("x")}}, dataset="nonexistent")
    check(response.status_code == 404, f"an unknown dataset is 404 ({response.status_code})")
    ErrorResponse.model_validate(response.json())
    response = raw_match(url, token, {"queries": {"x": query("x")}}, {"limit": "501"})
    check(response.status_code == 400, f"limit above 500 is refused ({response.status_code})")


def enricher_checks(url, token):
    from followthemoney import Dataset, StatementEntity
    from nomenklatura.cache import Cache
    from nomenklatura.enrich.yente import YenteEnricher

    dataset = Dataset.make({"name": "border", "title": "Border checks"})
    cache = Cache.make_default(dataset)
    enricher = YenteEnricher(dataset, cache, {"api": f"{url}/", "api_key": token,
                                              "dataset": "default", "cutoff": 0.5})
    entity = StatementEntity.from_data(dataset, {
        "id": "traveller-1", "schema": "Person",
        "properties": {"name": ["Abu Mohammed al-Adnani"], "birthDate": ["1977-05-01"]},
    })
    matches = list(enricher.match(entity))
    check(bool(matches), f"YenteEnricher: the listed person is found ({len(matches)})")
    check(any("Adnani" in " ".join(m.get("name")) for m in matches),
          "YenteEnricher: the match carries the record's names")
    enricher.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="Vigil's API root, e.g. http://host/v1")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    url = args.url.rstrip("/")
    try:
        yente_client_checks(url, args.token)
        model_checks(url, args.token)
        enricher_checks(url, args.token)
    finally:
        shutil.rmtree(CACHE_DIR, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} failures", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
