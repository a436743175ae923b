-- Single-flag GETs with the headers an SDK sends (wrk alone sends only Host), for
-- compare_builds.sh (SCRIPT=bench/load/sdk_headers.lua): the request parser's work per header.
wrk.headers["User-Agent"] = "openfeature-go/1.12.0 flagledger-provider/0.3.1"
wrk.headers["Accept"] = "application/json"
wrk.headers["Accept-Encoding"] = "gzip"
wrk.headers["X-Request-Id"] = "0123456789abcdef0123456789abcdef"
