-- Durable PUTs that each carry a fresh Idempotency-Key (a stored answer per write), toggling
-- the load data set's flags (bench/load/lib.sh: 1,000 organizations x 20 flags). -t2.
-- Keys carry the run's start time, so that every run's keys are new (not replays).
local next_id = 0
local run = os.time()
function setup(thread)
  thread:set("id", next_id); thread:set("run", run); next_id = next_id + 1
end

local counter = 0
local enabled = {}
request = function()
  counter = counter + 1
  local org = string.format("org-%04d", id * 500 + counter % 500)
  local flag = string.format("flag-%03d", math.floor(counter / 500) % 20)
  local key = org .. "/" .. flag
  enabled[key] = not enabled[key]
  local body = enabled[key] and '{"enabled":true}' or '{"enabled":false}'
  return wrk.format("PUT", "/api/v1/organizations/" .. org .. "/feature-flags/" .. flag,
                    {["Content-Type"] = "application/json",
                     ["Idempotency-Key"] = string.format("k%d-%d-%d", run, id, counter)}, body)
end
