-- Prepended to every scenario's script: prints wrk's totals as one JSON line
-- for the harness (latencies in microseconds).
function done(summary, latency, requests)
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d,'
      .. ' "non_2xx": %d, "socket_errors": %d}\n',
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(99),
      summary.errors.status,
      summary.errors.connect + summary.errors.read + summary.errors.write
         + summary.errors.timeout))
end
