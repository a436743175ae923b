-- 95% GET of one flag, 5% PUT toggling another flag's enabled (durable writes).
-- Each thread counts its requests; done() prints the read share of the total.
local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  reads = 0
  writes = 0
end

request = function()
  counter = counter + 1
  if counter % 20 == 0 then
    writes = writes + 1
    local flag = string.format("flag-%03d", 1 + (counter / 20) % 19)
    local body = (counter / 20) % 2 == 0 and '{"enabled":true}' or '{"enabled":false}'
    return wrk.format("PUT", "/api/v1/organizations/org-0001/feature-flags/" .. flag,
                      {["Content-Type"] = "application/json"}, body)
  end
  reads = reads + 1
  return wrk.format("GET", "/api/v1/organizations/org-0000/feature-flags/flag-000")
end

function done(summary, latency, requests)
  local total_reads, total_writes = 0, 0
  for _, thread in ipairs(threads) do
    total_reads = total_reads + thread:get("reads")
    total_writes = total_writes + thread:get("writes")
  end
  io.write(string.format("mixed_reads %d mixed_writes %d\n", total_reads, total_writes))
end
