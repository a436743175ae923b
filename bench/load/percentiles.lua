-- Prints the latency distribution beyond wrk's four percentiles, on one line (ms):
--   wrk -t1 -c32 -d4s -s bench/load/percentiles.lua URL
done = function(summary, latency, requests)
  local out = {}
  for _, p in ipairs({50, 75, 90, 95, 98, 99, 99.5, 99.9}) do
    out[#out + 1] = string.format("p%s=%.2f", p, latency:percentile(p) / 1000)
  end
  out[#out + 1] = string.format("max=%.2f mean=%.3f req/s=%.0f", latency.max / 1000,
                                latency.mean / 1000, summary.requests / (summary.duration / 1e6))
  io.write(table.concat(out, " "), "\n")
end
