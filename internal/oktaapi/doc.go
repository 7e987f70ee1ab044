// Package oktaapi speaks Okta's System Log API (GET /api/v1/logs) in both
// directions: a Collector that pulls events from a live org into a store,
// and a Server that answers the same API over an offline evidence set.
//
// # The contract followed
//
// Both sides follow Okta's documentation as published in
// okta/okta-developer-docs (packages/@okta/vuepress-site/docs/reference/api/system-log/index.md,
// "List events") and the Management OpenAPI spec shipped with
// okta/okta-sdk-golang v5 (.generator/okta-management-APIs-oasv3-*.yaml,
// operation listLogEvents):
//
//   - Parameters since, until, after, filter, q, limit, sortOrder. limit is
//     "Integer between 0 and 1000", default 100; sortOrder ASCENDING (the
//     default) or DESCENDING; since defaults to "7 days prior to until",
//     until to the current time.
//   - A polling request (until unspecified, sortOrder ASCENDING) has "an
//     infinite number of pages": a next link "is always present, even if
//     there are no new events". A bounded request (since and until) is
//     ordered by published and its last page has no next link.
//   - "after" is an opaque, system-generated token: clients rely on the next
//     link and never craft it ("since and after are mutually exclusive").
//   - Errors are JSON objects with errorCode, errorSummary, errorLink,
//     errorId and errorCauses: E0000001 (API validation failed), E0000053
//     (invalid filter; also "The since parameter is over 180 days prior to
//     the current day"), E0000011 (Invalid token provided), E0000047 (rate
//     limit), E0000009 (a query that timed out after 30 seconds).
//
// Rate limits follow Okta's rate-limit best practices
// (docs/reference/rl-best-practices: X-Rate-Limit-Limit is "the rate limit
// ceiling", X-Rate-Limit-Remaining "the number of requests left for the
// current rate-limit window", X-Rate-Limit-Reset "the time at which the rate
// limit resets, specified in UTC epoch time (in seconds)") and the retry
// logic of okta-sdk-golang v5 (okta/client.go, Get429BackoffTime): after a
// 429, wait X-Rate-Limit-Reset minus the response's Date, plus one second.
// By default one API token may use at most half of a bucket
// (docs/reference/rl2-token-oauth: "each API token or OAuth 2.0 app can use
// up to 50% of a bucket's total rate limit"; the /api/v1/logs bucket is 20,
// 50 or 120 requests a minute depending on the plan).
package oktaapi
