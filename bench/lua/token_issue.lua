-- wrk script: POST /identity/v3/auth/tokens with a password body, project scope.
-- Credentials come from the environment (set by bench/identity):
--   CIEL_BENCH_USER, CIEL_BENCH_PASSWORD, CIEL_BENCH_PROJECT (all in domain "default").
-- Extra headers (e.g. "Connection: close") can still be given with wrk -H.
local function json_str(s)
   return '"' .. s:gsub('[%c"\\]', function(c)
      return string.format("\\u%04x", c:byte())
   end) .. '"'
end

local user = os.getenv("CIEL_BENCH_USER") or "admin"
local password = os.getenv("CIEL_BENCH_PASSWORD") or ""
local project = os.getenv("CIEL_BENCH_PROJECT") or "admin"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":'
   .. json_str(user) .. ',"domain":{"id":"default"},"password":' .. json_str(password)
   .. '}}},"scope":{"project":{"name":' .. json_str(project)
   .. ',"domain":{"id":"default"}}}}}'
