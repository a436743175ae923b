-- The read-only baseline of the mixed load: the same GET as mixed.lua, built by the same
-- per-request Lua call, so the two differ only in the writes (wrk shares the cores).
request = function()
  return wrk.format("GET", "/api/v1/organizations/org-0000/feature-flags/flag-000")
end
