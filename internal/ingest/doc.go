// Package ingest reads Okta System Log exports and imports their events
// (`oktascope import`, docs/cli.md).
//
// # Formats
//
// A Reader detects the format from the content, never from the name:
//
//   - gzip (magic bytes 1f 8b, any number of members, nested up to three
//     times) is decompressed first, and the content detected again;
//   - '[' first (after a UTF-8 byte-order mark and whitespace): a JSON array
//     of events, the /api/v1/logs page shape, compact or pretty-printed;
//     arrays of arrays (pages) are flattened;
//   - gzip is capped: its content may grow to Limits.MaxGzipRatio times the
//     compressed bytes read (not below GzipRatioFloor) and to
//     Limits.MaxGzipSize, past which the input stops with a *LimitError;
//   - '{' first: NDJSON (blank lines ignored), pretty-printed objects one
//     after another, or objects concatenated with nothing between them. An
//     object that wraps the events is unwrapped while streaming: a key that
//     is not a LogEvent field, met before any LogEvent field, holding an
//     array of objects ({"events":[...]}, {"items":[...]}), or an Okta Event
//     Hook delivery (events under data.events). An Amazon EventBridge event
//     (Okta's Log Streaming: "detail-type" and a "detail" object) is read
//     as its detail, in a stream or an array;
//   - otherwise, a CSV whose header names System Log columns: the Admin
//     Console export (see below);
//   - anything else is no export (*FormatError; Import skips such files
//     when it meets them walking a directory), and so, for Import, is JSON
//     none of whose records has a top-level uuid, eventType or published.
//
// Each Record carries its file, the line it starts on, its byte offset (in
// the decompressed content) and its exact bytes: for JSON, the bytes of the
// one value, never re-marshalled. The JSON scanner balances brackets and
// respects strings and escapes, and leaves the rest to logevent.Decode, so a
// malformed record is still cut out whole and rejected with Decode's reason.
// At the top level of a stream, a record that does not close does not
// swallow the lines after it: a raw line break inside a string, or (in a
// record whose first line holds more than the '{') a line starting with '{',
// ends it. Memory is bounded by the largest record (DefaultMaxRecordSize;
// larger ones are rejected with ErrRecordTooLarge), whatever the input size.
// An input that breaks off (a truncated gzip stream, an array cut inside an
// element) yields every complete record before the break, then a
// *BreakError naming the file and the offset of the incomplete record.
//
// # The Admin Console CSV
//
// The System Log's "Download CSV" names each column by the LogEvent path in
// snake_case ("uuid", "event_type", "client.ip_address",
// "authentication_context.external_session_id",
// "client.geographical_context.geolocation.lat"), calls published
// "timestamp", and flattens targets by index ("target0.display_name",
// "target1.id"), as read by the public okta-session-analyzer tool. Each
// column is mapped back by reflection over logevent.LogEvent, so the two
// cannot drift:
//
//   - a step matches a field by its JSON name, in snake_case or as written,
//     ignoring case ("ip_address", "ipAddress"; device's own snake_case names
//     stay as they are);
//   - "timestamp" is published;
//   - a trailing number on an array field picks an element ("target0",
//     "request.ip_chain1"); an array field followed by more steps without one
//     is its first element ("request.ip_chain.ip");
//   - below a free-form object (debugData, detailEntry) or an undeclared field
//     of a declared object, steps become camelCase ("request_uri" →
//     "requestUri");
//   - cells become JSON of the field's type: numbers for lat, lon, asNumber,
//     authenticationStep (when the cell is a JSON number; otherwise the
//     string, which logevent reads leniently), true/false for isProxy and the
//     device booleans (any case), strings for the rest; a cell for an object
//     or array field (authentication_context.issuer, target) is embedded when
//     it holds JSON of that shape;
//   - empty cells are left out, and so are objects and array elements left
//     empty (so target elements are compacted);
//   - a column that maps to no LogEvent path, clashes with another, or holds
//     no JSON where an object is due, is kept as a top-level string under its
//     own name ("csv." + name if that is a LogEvent field).
//
// A row with the wrong number of cells is rejected; a row repeating the
// header (exports concatenated) is skipped. Record.Raw is the row's text
// and Record.JSON the rebuilt object, which is what the store keeps as the
// event's original JSON.
//
// # Import
//
// Import walks paths, reads records in one goroutine, decodes them with
// logevent.Decode in GOMAXPROCS goroutines, and, in one goroutine, puts them
// back in input order, writes bad records untouched to the rejects file, and
// hands good events to a backend.Writer (the store) in batches.
// Deduplication by uuid is the writer's job, including duplicates within one
// batch (see backend.InsertResult); a record whose uuid is held with other
// content (a conflict) is written to the rejects file with the event held.
// Events published outside logevent.PlausibleRange are rejected. The rejects file is
// created private (internal/privfile) and capped (Options.MaxRejectsSize);
// file names in messages are escaped for the terminal (docs/import.md).
package ingest
