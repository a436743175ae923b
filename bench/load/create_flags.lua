-- Durable creates of new flags in 1,000 organizations: keys unique per run (start second),
-- wrk thread and request, so every POST appends an event.
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end

local run = os.time()
local counter = 0
request = function()
  counter = counter + 1
  local org = string.format("org-%04d", counter % 1000)
  local body = string.format('{"flag_key":"n%d-%d-%d","enabled":true}', run, id, counter)
  return wrk.format("POST", "/api/v1/organizations/" .. org .. "/feature-flags",
                    {["Content-Type"] = "application/json"}, body)
end
