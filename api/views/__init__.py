"""API views: each parses input (with the page's own form), calls the same query and service
functions as the page, and returns JSON. Refusals become problem details (api.problems)."""
