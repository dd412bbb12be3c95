-- wrk script: POST /network/v2.0/ports, one new port per request.
-- The body comes from the environment (set by bench/network): CIEL_BENCH_BODY, e.g.
--   {"port":{"network_id":"<id>"}}
-- The token is given with wrk -H "X-Auth-Token: ...".
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("CIEL_BENCH_BODY") or "{}"
