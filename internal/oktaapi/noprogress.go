package oktaapi

import (
	"crypto/sha256"
	"fmt"
)

// progressGuard stops paging that makes no progress. A server (broken,
// or hostile) can keep a collect busy forever: empty pages with ever-new
// next links, the same link again and again, or the same page of events
// under new links. What tells those apart from a real System Log:
//
//   - a polling request (no until, ascending) that caught up returns
//     empty pages by design ("a next link is always present, even if there
//     are no new events"), each often with the same next link. That is not
//     a cycle: without Follow the collect ends there, with Follow it waits
//     PollInterval before each poll, so it never spins;
//   - a bounded request's pages move forward through the time range, and
//     its last page has no next link. So its next link never names a page
//     already fetched, and more than MaxEmptyPages empty pages in a row is
//     no progress;
//   - under either, the server never sends the same events twice in one
//     run, nor the same link once it has returned events (after moves on).
//
// Each rule breaks with an error naming the cycle: the pages and the link.
// It keeps a 16-byte digest per page (16 MB for a million pages).
type progressGuard struct {
	links      map[[16]byte]int // digest of a fetched link → its page
	pages      map[[16]byte]int // digest of a page's events → the page
	emptyRun   int              // bounded: empty pages in a row
	emptyStart int              // the first page of that run
}

func digest(parts ...[]byte) [16]byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	var d [16]byte
	copy(d[:], h.Sum(nil))
	return d
}

// check records page n, fetched from link, and returns an error if the
// paging makes no progress.
func (g *progressGuard) check(p Params, link string, pg *page, n, maxEmpty int) error {
	if g.links == nil {
		g.links, g.pages = map[[16]byte]int{}, map[[16]byte]int{}
	}
	empty := len(pg.raw) == 0
	if !empty || !p.polling() {
		g.links[digest([]byte(link))] = n
	}
	if empty {
		if p.polling() {
			return nil // caught up
		}
		if g.emptyRun == 0 {
			g.emptyStart = n
		}
		g.emptyRun++
		if g.emptyRun > maxEmpty {
			return fmt.Errorf("no progress: pages %d to %d were all empty, each with a new next link (the last: %s): the server is paging without end",
				g.emptyStart, n, clip(link, 300))
		}
	} else {
		g.emptyRun = 0
		d := digest(pg.raw...)
		if m, seen := g.pages[d]; seen {
			return fmt.Errorf("no progress: page %d (%s) holds the same %d events as page %d: the server is paging in a cycle",
				n, clip(link, 300), len(pg.raw), m)
		}
		g.pages[d] = n
	}
	if pg.next == "" {
		return nil
	}
	if m, seen := g.links[digest([]byte(pg.next))]; seen && (!empty || !p.polling()) {
		return fmt.Errorf("no progress: page %d links back to page %d (%s): the server is paging in a cycle",
			n, m, clip(pg.next, 300))
	}
	return nil
}
