"""The REST API (/api/v1/): the same queries, services, rules and perform() as the pages, over
Django REST framework, with per-user API tokens, RFC 9457 problem details and an OpenAPI schema."""
