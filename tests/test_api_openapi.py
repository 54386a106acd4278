"""GET /api/openapi.json describes /api/search as OpenAPI 3."""


def resolve(spec, ref):
    assert ref.startswith("#/")
    node = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_openapi_is_json(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_openapi_3_header(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"]
    assert spec["info"]["version"]


def test_search_operation_parameters(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"q", "page", "per_page", "tag", "tag_any", "author", "year", "from", "to", "sort", "lang", "prefer_lang"}
    assert all(p["in"] == "query" for p in operation["parameters"])
    assert {"200", "400", "503"} <= set(operation["responses"])


def test_every_ref_resolves(client):
    spec = client.get("/api/openapi.json").get_json()
    found = list(refs(spec))
    assert found
    for ref in found:
        resolve(spec, ref)


def test_result_schema_lists_the_fields_the_api_returns(client):
    spec = client.get("/api/openapi.json").get_json()
    result = spec["components"]["schemas"]["Result"]
    [hit] = client.get("/api/search?q=server+actions").get_json()["results"]
    assert set(result["required"]) <= set(hit)
    assert set(hit) <= set(result["properties"])
