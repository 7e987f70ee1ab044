package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"slices"
	"strings"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

// Insert's design, chosen by measurement (docs/storage.md):
//
//   - Rows are inserted by multi-row statements of a power of two rows, up
//     to rowsPerStmt: one execution opens the cursors of the table and of
//     every index once, and crosses from Go into SQLite once, for all its
//     rows.
//   - A multi-row statement that may abort midway makes SQLite copy every
//     page it changes to a statement journal first, which halves the
//     insert rate or worse. Plain INSERT may abort on a conflict, RETURNING
//     runs as a trigger, and an explicit INTEGER PRIMARY KEY value may
//     abort on a type mismatch: so every multi-row statement is INSERT OR
//     IGNORE, and rows of events get their ids from SQLite (one more than
//     the largest, so consecutive). The events' JSON goes, compressed, in
//     blocks of consecutive ids (blocks.go), one single-row statement each.
//   - Uniqueness is enforced on uuidKey(uuid), which orders version 1 UUIDs
//     (Okta's, carrying the event's time) by time: a chronological import
//     appends to that index rather than writing all over it, which keeps
//     a large import from being bound by random I/O.
//   - Duplicates are found before inserting (one SELECT per chunk on the
//     uuid index for the keys not above the greatest key the store held
//     when the batch began, which a chronological import's keys mostly
//     are, and a set of the batch's own uuids), so no conflict can
//     remain: exec checks that every row went in and that events got the
//     expected ids. The same SELECT returns a duplicate's
//     raw_hash, a checksum of its stored JSON: an identical re-import
//     reads no JSON; when the checksums differ (or the row has none) the
//     stored JSON is read and compared decoded (conflicts).
//   - Statements run with a context that is never cancelled: a cancellable
//     one costs the driver a goroutine per statement. Cancellation is
//     checked between chunks.
const rowsPerStmt = 32

// maxTargetRows is the most targets rows (4 columns) one statement inserts.
const maxTargetRows = 4 * rowsPerStmt

// The multi-row INSERT statements of each table.
var (
	eventsInsert = table{
		head: `INSERT OR IGNORE INTO events (uuid, uuid_key, published, event_type,
	actor_id, actor_alternate_id, actor_display_name, client_ip, session_id,
	outcome_result, severity, display_message, city, country, raw_hash) VALUES `,
		cols: 15, max: rowsPerStmt, rowids: true,
	}
	targetsInsert = table{head: "INSERT OR IGNORE INTO targets (event, pos, target_id, target_alternate_id) VALUES ", cols: 4, max: maxTargetRows}
)

const (
	sqlNextID = "SELECT coalesce(max(id), 0) + 1 FROM events"
	// sqlMaxKey is the greatest uuid_key held (NULL in an empty store): a
	// seek to the end of its index.
	sqlMaxKey = "SELECT max(uuid_key) FROM events"
	// sqlInsertBlock inserts one block: a single-row statement, which
	// cannot stop midway (no statement journal).
	sqlInsertBlock = "INSERT INTO raw_blocks (id, n, data) VALUES (?, ?, ?)"
	sqlCountType   = `INSERT INTO event_type_counts (event_type, n) VALUES (?, ?)
	ON CONFLICT (event_type) DO UPDATE SET n = n + excluded.n`
	sqlCountMinute = `INSERT INTO minute_counts (minute, n) VALUES (?, ?)
	ON CONFLICT (minute) DO UPDATE SET n = n + excluded.n`
)

// table is a multi-row INSERT statement: head, then rows of cols values.
type table struct {
	head string
	cols int
	max  int // rows per statement
	// rowids: SQLite assigns each row the next id, which must be b.ids.
	rowids bool
}

func (t table) name() string { return strings.Fields(t.head)[4] }

func (t table) sql(rows int) string {
	row := "(" + placeholders(t.cols) + ")"
	return t.head + strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// existingSQL finds which of n uuids the store holds, and their raw_hash
// (0 when none).
func existingSQL(n int) string {
	return "SELECT uuid, coalesce(raw_hash, 0) FROM events WHERE uuid_key IN (" + placeholders(n) + ")"
}

// inserter holds Insert's prepared statements: for each statement, one per
// power of two of rows. They are prepared when the store opens, as the
// write pool's one connection is busy during a transaction.
type inserter struct {
	stmts map[string]*sql.Stmt
}

func newInserter(ctx context.Context, db *sql.DB) (*inserter, error) {
	ins := &inserter{stmts: map[string]*sql.Stmt{}}
	texts := []string{sqlCountType, sqlCountMinute, sqlAddIPUser, sqlInsertBlock}
	for rows := 1; rows <= maxTargetRows; rows *= 2 {
		if rows <= rowsPerStmt {
			texts = append(texts, eventsInsert.sql(rows), existingSQL(rows))
		}
		texts = append(texts, targetsInsert.sql(rows))
	}
	for _, text := range texts {
		st, err := db.PrepareContext(ctx, text)
		if err != nil {
			ins.close()
			return nil, fmt.Errorf("prepare insert: %w", err)
		}
		ins.stmts[text] = st
	}
	return ins, nil
}

func (ins *inserter) close() error {
	var errs []error
	for _, st := range ins.stmts {
		errs = append(errs, st.Close())
	}
	ins.stmts = nil
	return errors.Join(errs...)
}

// Insert stores a batch of events in one transaction: all of them are in
// the store afterwards, or (on error, cancellation or a crash) none of those
// the batch added. An event whose uuid the store already holds (or that
// appears earlier in the batch) is skipped: counted as a duplicate when its
// content is the same (backend.SameContent), listed as a conflict with the
// stored JSON otherwise.
//
// The events must come from logevent.Decode (or DecodeInto): the indexed
// columns are taken from their decoded fields and Time, and Raw is stored
// byte for byte; the store keeps no reference to them. Batches of a few
// thousand events amortize the commit best.
func (s *Store) Insert(ctx context.Context, events []*logevent.Event) (backend.InsertResult, error) {
	if len(events) == 0 {
		return backend.InsertResult{}, nil
	}
	for _, e := range events {
		if e.UUID == "" || e.EventType == "" || e.Time.IsZero() {
			return backend.InsertResult{}, fmt.Errorf("store: insert: event without uuid, eventType or time (use logevent.Decode): %.100q", e.Raw)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return backend.InsertResult{}, errors.New("store: insert: store is closed")
	}
	res, err := s.insertTx(ctx, events)
	if err != nil {
		return backend.InsertResult{}, fmt.Errorf("store: insert: %w", err)
	}
	s.dirty += int64(res.Inserted)
	s.ckpt.poke()
	return res, nil
}

func (s *Store) insertTx(ctx context.Context, events []*logevent.Event) (backend.InsertResult, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return backend.InsertResult{}, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	b := &batch{ctx: ctx, run: context.WithoutCancel(ctx), tx: tx, ins: s.insert, s: s,
		seen: make(map[string]*logevent.Event, len(events)), types: map[string]int{}, minutes: map[int64]int{}, ipUsers: map[ipUserKey]*ipUserSum{}}
	if err := tx.QueryRowContext(b.run, sqlNextID).Scan(&b.nextID); err != nil {
		return backend.InsertResult{}, fmt.Errorf("next id: %w", err)
	}
	if err := tx.QueryRowContext(b.run, sqlMaxKey).Scan(&b.maxKey); err != nil {
		return backend.InsertResult{}, fmt.Errorf("greatest uuid key: %w", err)
	}
	firstID := b.nextID
	for base := 0; base < len(events); {
		chunk := events[base : base+pow2Floor(min(rowsPerStmt, len(events)-base))]
		if err := b.dedup(base, chunk); err != nil {
			return backend.InsertResult{}, err
		}
		base += len(chunk)
	}
	// The blocks of JSON are compressed on other goroutines while the rows
	// of events and targets go in. The store's first batch of more than
	// dictSize bytes gives its dictionary.
	enc, dictID := s.codec.encoder()
	var dict []byte
	if dictID == 0 {
		if dict, err = b.newDict(); err != nil {
			return backend.InsertResult{}, err
		}
		if dict != nil {
			dictID = 1
			if enc, err = newEncoder(dictID, dict); err != nil {
				return backend.InsertResult{}, err
			}
		}
	}
	blocks := s.compressBlocks(enc, firstID, b.fresh)
	defer waitBlocks(blocks)
	for fresh, ids := b.fresh, b.ids; len(fresh) > 0; {
		n := pow2Floor(min(rowsPerStmt, len(fresh)))
		if err := b.add(fresh[:n], ids[:n]); err != nil {
			return backend.InsertResult{}, err
		}
		fresh, ids = fresh[n:], ids[n:]
	}
	if err := b.insertBlocks(blocks); err != nil {
		return backend.InsertResult{}, err
	}
	if err := b.countTypes(); err != nil {
		return backend.InsertResult{}, err
	}
	if !s.bulk {
		if err := b.addIPUsers(); err != nil {
			return backend.InsertResult{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return backend.InsertResult{}, fmt.Errorf("commit: %w", err)
	}
	if dict != nil {
		waitBlocks(blocks) // before enc closes
		if err := s.codec.adopt(dictID, dict); err != nil {
			return backend.InsertResult{}, err
		}
	}
	if s.bulk {
		mergeIPUsers(s.bulkIPUsers, b.ipUsers)
	}
	if b.compressed > 0 && b.json > 20*blockTarget { // enough to measure
		s.blockRatio = float64(b.json) / float64(b.compressed)
	}
	b.result.Inserted = b.inserted
	slices.SortFunc(b.result.Conflicts, func(x, y backend.Conflict) int { return x.Index - y.Index })
	return b.result, nil
}

// batch is one Insert transaction in progress.
type batch struct {
	ctx      context.Context // the caller's, for cancellation
	run      context.Context // for statements
	tx       *sql.Tx
	ins      *inserter
	s        *Store // for its codec and raw table, reading stored JSON
	nextID   int64
	seen     map[string]*logevent.Event // the batch's inserted events by uuid
	inserted int
	result   backend.InsertResult // duplicates and conflicts
	held     map[string]int64     // the chunk's uuids the store holds: raw_hash (reused)
	maxKey   []byte               // the greatest uuid_key held when the batch began (nil: none)
	types    map[string]int       // events inserted, by type
	minutes  map[int64]int        // events inserted, by minute (minuteOf)
	ipUsers  map[ipUserKey]*ipUserSum
	args     []any
	fresh    []*logevent.Event // the events to insert, in order
	ids      []int64           // and their ids
	// JSON bytes of the fresh events, and their size compressed
	json, compressed int
}

// dedup adds the events of a chunk (a power of two of them, at most
// rowsPerStmt), the first at base in Insert's slice, whose uuids are new
// to b.fresh, giving them the next ids; it counts the others as
// duplicates or conflicts.
func (b *batch) dedup(base int, chunk []*logevent.Event) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	existing, err := b.existing(chunk)
	if err != nil {
		return err
	}
	var unsure []unsureEvent
	for i, e := range chunk {
		if first := b.seen[e.UUID]; first != nil {
			b.duplicate(base+i, e, first.Raw)
			continue
		}
		if hash, ok := existing[e.UUID]; ok {
			if hash != 0 && hash == rawHash(e.Raw) {
				b.result.Duplicates++
			} else {
				unsure = append(unsure, unsureEvent{base + i, e})
			}
			continue
		}
		b.seen[e.UUID] = e
		b.fresh = append(b.fresh, e)
		b.json += len(e.Raw)
		b.ids = append(b.ids, b.nextID)
		b.nextID++
	}
	return b.compareStored(unsure)
}

// add inserts the rows of events and targets of fresh events (at most
// rowsPerStmt) with their ids.
func (b *batch) add(fresh []*logevent.Event, ids []int64) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	b.args = b.args[:0]
	for _, e := range fresh {
		b.args = appendEventArgs(b.args, e)
	}
	if err := b.exec(eventsInsert, len(fresh), ids); err != nil {
		return err
	}
	if err := b.insertTargets(fresh, ids); err != nil {
		return err
	}
	b.count(fresh)
	return nil
}

// duplicate counts the event at index i, whose uuid is held with the JSON
// stored: a duplicate, or a conflict when the contents differ.
func (b *batch) duplicate(i int, e *logevent.Event, stored []byte) {
	if backend.SameContent(stored, e.Raw) {
		b.result.Duplicates++
		return
	}
	b.result.Conflicts = append(b.result.Conflicts, backend.Conflict{Index: i, Stored: stored})
}

// unsureEvent is an event of the chunk, at index in Insert's slice, whose
// uuid the store holds with another raw_hash (or none).
type unsureEvent struct {
	index int
	e     *logevent.Event
}

// compareStored reads the stored JSON of the events whose checksum
// differs from the held one's (or is unknown), and counts each as a
// duplicate or a conflict.
func (b *batch) compareStored(unsure []unsureEvent) error {
	if len(unsure) == 0 {
		return nil
	}
	args := make([]any, len(unsure))
	for i, u := range unsure {
		args[i] = uuidKey(u.e.UUID)
	}
	rows, err := b.tx.QueryContext(b.run, "SELECT uuid, id FROM events WHERE uuid_key IN ("+
		placeholders(len(args))+")", args...)
	if err != nil {
		return fmt.Errorf("read duplicates: %w", err)
	}
	defer rows.Close()
	ids := make(map[string]int64, len(unsure))
	for rows.Next() {
		var uuid string
		var id int64
		if err := rows.Scan(&uuid, &id); err != nil {
			return fmt.Errorf("read duplicates: %w", err)
		}
		ids[uuid] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read duplicates: %w", err)
	}
	rows.Close()
	src := newRawSource(b.tx, b.s.rawMax)
	defer src.close()
	stored := make(map[string][]byte, len(unsure))
	for uuid, id := range ids {
		raw, err := src.json(b.run, b.s.codec, id)
		if err != nil {
			return fmt.Errorf("read duplicates: %w", err)
		}
		stored[uuid] = raw
	}
	for _, u := range unsure {
		raw, ok := stored[u.e.UUID]
		if !ok {
			return fmt.Errorf("read duplicates: no JSON for %q", u.e.UUID)
		}
		b.duplicate(u.index, u.e, raw)
	}
	return nil
}

// existing returns the uuids of the chunk the store already holds, in a
// map reused from chunk to chunk.
func (b *batch) existing(chunk []*logevent.Event) (map[string]int64, error) {
	clear(b.held)
	b.args = mayBeHeld(b.args, chunk, b.maxKey)
	if len(b.args) == 0 {
		return b.held, nil
	}
	st, err := b.stmt(existingSQL(len(b.args)))
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(b.run, b.args...)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uuid string
		var hash int64
		if err := rows.Scan(&uuid, &hash); err != nil {
			return nil, fmt.Errorf("find duplicates: %w", err)
		}
		if b.held == nil {
			b.held = make(map[string]int64, rowsPerStmt)
		}
		b.held[uuid] = hash
	}
	return b.held, rows.Err()
}

// mayBeHeld returns, in keys (reused), the uuid keys of the chunk's
// events (a power of two of them) that the store may hold: those not above
// maxKey, the greatest key it holds (none when maxKey is nil), the last
// repeated up to a power of two of them, the sizes of the prepared
// statements (a key twice in IN changes nothing). SQLite orders BLOBs as
// bytes.Compare does.
func mayBeHeld(keys []any, chunk []*logevent.Event, maxKey []byte) []any {
	keys = keys[:0]
	if maxKey == nil {
		return keys
	}
	for _, e := range chunk {
		if key := uuidKey(e.UUID); bytes.Compare(key, maxKey) <= 0 {
			keys = append(keys, key)
		}
	}
	if n := len(keys); n > 0 && pow2Floor(n) < n {
		for size := 2 * pow2Floor(n); len(keys) < size; {
			keys = append(keys, keys[n-1])
		}
	}
	return keys
}

// compressedBlock is a block of raw_blocks being compressed.
type compressedBlock struct {
	id   int64
	n    int
	data []byte
	done chan struct{}
}

// compressBlocks cuts the JSON of events (with consecutive ids from
// first) into blocks and compresses them on GOMAXPROCS goroutines, in
// order; each block's done is closed when its data is ready.
func (s *Store) compressBlocks(enc blockEncoder, first int64, events []*logevent.Event) []*compressedBlock {
	raws := make([][]byte, len(events))
	for i, e := range events {
		raws[i] = e.Raw
	}
	var out []*compressedBlock
	start := 0
	for _, n := range splitBlocks(raws, int(blockTarget*s.blockRatio)) {
		out = append(out, &compressedBlock{id: first + int64(start), n: n, done: make(chan struct{})})
		start += n
	}
	next := make(chan int, len(out))
	for i := range out {
		next <- i
	}
	close(next)
	for range min(len(out), runtime.GOMAXPROCS(0)) {
		go func() {
			var scratch blockScratch
			for i := range next {
				blk := out[i]
				off := int(blk.id - first)
				blk.data = scratch.encode(enc, raws[off:off+blk.n])
				close(blk.done)
			}
		}()
	}
	return out
}

// newDict makes the store's dictionary of the batch's fresh events and
// inserts it, when the store has none (raw_dicts is empty: another process
// may have made one) and the events hold enough JSON; else it returns nil.
func (b *batch) newDict() ([]byte, error) {
	var n int
	if err := b.tx.QueryRowContext(b.run, "SELECT count(*) FROM raw_dicts").Scan(&n); err != nil || n > 0 {
		return nil, err
	}
	raws := make([][]byte, len(b.fresh))
	types := make([]string, len(b.fresh))
	for i, e := range b.fresh {
		raws[i], types[i] = e.Raw, e.EventType
	}
	dict := dictContent(raws, types)
	if dict == nil {
		return nil, nil
	}
	if _, err := b.tx.ExecContext(b.run, "INSERT INTO raw_dicts (id, content) VALUES (1, ?)", dict); err != nil {
		return nil, fmt.Errorf("insert raw_dicts: %w", err)
	}
	return dict, nil
}

// waitBlocks waits until every block is compressed.
func waitBlocks(blocks []*compressedBlock) {
	for _, blk := range blocks {
		<-blk.done
	}
}

// insertBlocks inserts the compressed blocks, in order, each as it is
// ready, and adds their sizes to b's.
func (b *batch) insertBlocks(blocks []*compressedBlock) error {
	st, err := b.stmt(sqlInsertBlock)
	if err != nil {
		return err
	}
	for _, blk := range blocks {
		<-blk.done
		b.compressed += len(blk.data)
		if _, err := st.ExecContext(b.run, blk.id, blk.n, blk.data); err != nil {
			return fmt.Errorf("insert raw_blocks: %w", err)
		}
	}
	return nil
}

func (b *batch) insertTargets(fresh []*logevent.Event, ids []int64) error {
	b.args = b.args[:0]
	rows := 0
	for i, e := range fresh {
		for pos, t := range e.Target {
			if t.ID != "" || t.AlternateID != "" {
				b.args = append(b.args, ids[i], pos, null(t.ID), null(t.AlternateID))
				rows++
			}
		}
	}
	return b.exec(targetsInsert, rows, nil)
}

// exec inserts rows rows of t with b.args, by statements of a power of two
// rows each (so that few distinct statements are prepared), and checks
// that each row went in, with the ids of ids for events.
func (b *batch) exec(t table, rows int, ids []int64) error {
	args := b.args
	for rows > 0 {
		n := pow2Floor(min(rows, t.max))
		st, err := b.stmt(t.sql(n))
		if err != nil {
			return err
		}
		res, err := st.ExecContext(b.run, args[:n*t.cols]...)
		if err != nil {
			return fmt.Errorf("insert %s: %w", t.name(), err)
		}
		if got, err := res.RowsAffected(); err != nil || got != int64(n) {
			return fmt.Errorf("insert %s: %d of %d rows inserted (%v)", t.name(), got, n, err)
		}
		if t.rowids {
			if last, err := res.LastInsertId(); err != nil || last != ids[n-1] {
				return fmt.Errorf("insert %s: last id %d, expected %d (%v)", t.name(), last, ids[n-1], err)
			}
			ids = ids[n:]
		}
		args, rows = args[n*t.cols:], rows-n
	}
	return nil
}

// stmt returns the prepared statement for text, bound to the transaction.
func (b *batch) stmt(text string) (*sql.Stmt, error) {
	st, ok := b.ins.stmts[text]
	if !ok {
		return nil, fmt.Errorf("no prepared statement %.60q", text)
	}
	return b.tx.StmtContext(b.run, st), nil
}

func (b *batch) count(fresh []*logevent.Event) {
	for _, e := range fresh {
		b.types[e.EventType]++
		b.minutes[minuteOf(unixNanos(e.Time))]++
		b.sumIPUser(e)
	}
	b.inserted += len(fresh)
}

// countTypes adds the batch's events to the per-type and per-minute
// counters.
func (b *batch) countTypes() error {
	st, err := b.stmt(sqlCountType)
	if err != nil {
		return err
	}
	for eventType, n := range b.types {
		if _, err := st.ExecContext(b.run, eventType, n); err != nil {
			return fmt.Errorf("count event types: %w", err)
		}
	}
	if st, err = b.stmt(sqlCountMinute); err != nil {
		return err
	}
	for minute, n := range b.minutes {
		if _, err := st.ExecContext(b.run, minute, n); err != nil {
			return fmt.Errorf("count events by minute: %w", err)
		}
	}
	return nil
}

// pow2Floor is the largest power of two <= n (n > 0).
func pow2Floor(n int) int {
	p := 1
	for p*2 <= n {
		p *= 2
	}
	return p
}

// appendEventArgs appends the values of an events row for e.
func appendEventArgs(args []any, e *logevent.Event) []any {
	g := e.Client.GeographicalContext
	return append(args,
		e.UUID, uuidKey(e.UUID), unixNanos(e.Time), e.EventType,
		null(e.Actor.ID), null(e.Actor.AlternateID), null(e.Actor.DisplayName),
		null(e.Client.IPAddress), null(e.AuthenticationContext.ExternalSessionID),
		null(e.Outcome.Result), null(e.Severity), null(e.DisplayMessage),
		null(g.City), null(g.Country), rawHash(e.Raw),
	)
}

// castagnoli is the CRC-32C table (computed in hardware where the CPU can).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// rawHash is the checksum kept in events.raw_hash: CRC-32C and CRC-32 of
// an event's JSON, 64 bits, about 0.3 µs for an event of 2 KB. Equal
// checksums are taken for equal bytes: two texts differ with the same
// checksum with a chance of 2^-64, or when crafted to (a CRC is not a
// cryptographic hash), and then the second is counted a duplicate rather
// than a conflict; it is not stored either way.
func rawHash(raw []byte) int64 {
	return int64(uint64(crc32.Checksum(raw, castagnoli))<<32 | uint64(crc32.ChecksumIEEE(raw)))
}

// null maps the empty string, which the filter evaluator treats as absent,
// to SQL NULL.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// uuidKey is the uniqueness key of a uuid. A version 1 UUID in canonical
// lower-case form becomes 1 then its 16 bytes reordered time first
// (time_hi and version, time_mid, time_low, clock_seq, node), so that keys
// sort by the UUID's timestamp; any other string becomes 0 then the string.
// Distinct strings have distinct keys.
func uuidKey(u string) []byte {
	if !backend.IsV1UUID(u) {
		return append([]byte{0}, u...)
	}
	key := make([]byte, 1, 17)
	key[0] = 1
	for _, part := range [...][2]int{{14, 18}, {9, 13}, {0, 8}, {19, 23}, {24, 36}} {
		key, _ = hex.AppendDecode(key, []byte(u[part[0]:part[1]])) // hex, checked
	}
	return key
}
