-- Durable writes spread over 20,000 flags, each of which changes its flag (an event per PUT):
-- each wrk thread owns 500 organizations and flips their flags flag-000..flag-019 in turn.
-- Use with the load data set (bench/load/lib.sh: 1,000 organizations x 20 flags) and -t2.
-- With KEYED=1 in the environment each PUT carries a fresh Idempotency-Key (an answer stored
-- per write); the run's start time in the key keeps every run's keys new, not replays.
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end

local keyed = os.getenv("KEYED") == "1"
local run = os.time()
local counter = 0
local enabled = {}
request = function()
  counter = counter + 1
  local org = string.format("org-%04d", id * 500 + counter % 500)
  local flag = string.format("flag-%03d", math.floor(counter / 500) % 20)
  local key = org .. "/" .. flag
  enabled[key] = not enabled[key]
  local body = enabled[key] and '{"enabled":true}' or '{"enabled":false}'
  local headers = {["Content-Type"] = "application/json"}
  if keyed then headers["Idempotency-Key"] = string.format("k%d-%d-%d", run, id, counter) end
  return wrk.format("PUT", "/api/v1/organizations/" .. org .. "/feature-flags/" .. flag,
                    headers, body)
end
