-- PUTs of a random enabled value to random flags of 1,000 organizations: about half change
-- nothing (answered from the projection by the writer), the rest append an event.
local counter = 0
request = function()
  counter = counter + 1
  local flag = string.format("flag-%03d", counter % 20)
  local org = string.format("org-%04d", (counter * 7) % 1000)
  local body = math.random(2) == 1 and '{"enabled":true}' or '{"enabled":false}'
  return wrk.format("PUT", "/api/v1/organizations/" .. org .. "/feature-flags/" .. flag,
                    {["Content-Type"] = "application/json"}, body)
end
