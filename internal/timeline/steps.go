package timeline

import (
	"fmt"
	"sync"

	"github.com/oktascope/oktascope/internal/catalog"
)

// role is what an event type does in the article's flows, which decides
// how the Builder routes it.
type role uint8

const (
	roleOther        role = iota // not in the article's sequences
	roleSignin                   // okta-signin: session start, policy, verify
	roleMFA                      // mfa and mfa-factor
	roleAppGranted               // app-signin: user.authentication.sso
	roleAppDenied                // app-signin-denied: deny_access
	roleSSPR                     // sspr
	roleSSU                      // ssu
	roleLogout                   // logout
	roleFactorChange             // mfa-changes (but activate, which is first an MFA step)
)

// The catalog's sequence names this package relies on.
const (
	seqSignin       = "okta-signin"
	seqApp          = "app-signin"
	seqAppDenied    = "app-signin-denied"
	seqMFA          = "mfa"
	seqMFAFactor    = "mfa-factor"
	seqSSPR         = "sspr"
	seqSSU          = "ssu"
	seqLogout       = "logout"
	seqMFAChanges   = "mfa-changes"
	typeActivate    = "user.mfa.factor.activate"
	typeAuthViaMFA  = "user.authentication.auth_via_mfa"
	typeSessionInit = "user.session.start"
	typeVerify      = "user.authentication.verify"
	typePolicy      = "policy.evaluate_sign_on"
	typeSSO         = "user.authentication.sso"
	typeDenyAccess  = "application.policy.sign_on.deny_access"
)

var roleOfSequence = map[string]role{
	seqSignin: roleSignin, seqApp: roleAppGranted, seqAppDenied: roleAppDenied,
	seqMFA: roleMFA, seqMFAFactor: roleMFA, seqSSPR: roleSSPR, seqSSU: roleSSU,
	seqLogout: roleLogout, seqMFAChanges: roleFactorChange,
}

// placement is where an event type first appears in the article's
// sequences (catalog order): its role, sequence, step number and words;
// and what the rules that follow users look for in it, so that Add looks
// an event's type up once.
type placement struct {
	role        role
	seq         string
	number      int
	label       string
	description string
	change      bool   // an MFA configuration change (in mfa-changes)
	challenge   string // the channel of an MFA challenge (fatigueTypes)
}

// catalogData is what the package reads from the catalog, once.
type catalogData struct {
	placements map[string]placement
	sequences  map[string]catalog.Sequence
	// required are the steps of each sequence that are not optional.
	required map[string][]catalog.Step
}

var loadCatalog = sync.OnceValue(func() *catalogData {
	c := &catalogData{
		placements: map[string]placement{},
		sequences:  map[string]catalog.Sequence{},
		required:   map[string][]catalog.Step{},
	}
	for _, seq := range catalog.Sequences() {
		c.sequences[seq.Name] = seq
		for _, step := range seq.Steps {
			if !step.Optional {
				c.required[seq.Name] = append(c.required[seq.Name], step)
			}
		}
		for _, step := range seq.Steps {
			for _, eventType := range step.EventTypes {
				c.place(seq, step, eventType)
			}
		}
	}
	for eventType, channel := range fatigueTypes {
		p, ok := c.placements[eventType]
		if !ok {
			p = unplaced(eventType)
		}
		p.challenge = channel
		c.placements[eventType] = p
	}
	return c
})

// place records the first step naming eventType, and whether it is a
// factor change.
func (c *catalogData) place(seq catalog.Sequence, step catalog.Step, eventType string) {
	p, ok := c.placements[eventType]
	if !ok {
		p = placement{
			role: roleOfSequence[seq.Name], seq: seq.Name, number: step.Number,
			label: step.Label, description: describe(step.Description, eventType),
		}
	}
	p.change = p.change || seq.Name == seqMFAChanges
	c.placements[eventType] = p
}

// placementOf returns where eventType sits; roleOther when nowhere.
func placementOf(eventType string) placement {
	if p, ok := loadCatalog().placements[eventType]; ok {
		return p
	}
	return unplaced(eventType)
}

// unplaced is the placement of an event type outside the sequences.
func unplaced(eventType string) placement {
	return placement{role: roleOther, description: describe("", eventType)}
}

// describe returns the article's step description, or else the catalog's
// definition of the event type.
func describe(stepDescription, eventType string) string {
	if stepDescription != "" {
		return stepDescription
	}
	if def, ok := catalog.Lookup(eventType); ok {
		return def.Description
	}
	return ""
}

// sequenceOf returns the catalog sequence a flow of kind k follows; denied
// tells an app sign-in that was denied from one that was granted.
func sequenceOf(k Kind, denied bool) (catalog.Sequence, bool) {
	name := sequenceOfKind[k]
	if k == KindAppSignin && denied {
		name = seqAppDenied
	}
	seq, ok := loadCatalog().sequences[name]
	return seq, ok
}

var sequenceOfKind = map[Kind]string{
	KindSignin: seqSignin, KindAppSignin: seqApp, KindMFA: seqMFA, KindSSPR: seqSSPR,
	KindSSU: seqSSU, KindLogout: seqLogout, KindMFAChange: seqMFAChanges,
}

// refCovers reports whether a step referring to sequence ref stands for
// events of sequence seq: the "MFA events" row covers the generic and the
// factor-specific MFA events.
func refCovers(ref, seq string) bool {
	return ref == seq || (ref == seqMFA && seq == seqMFAFactor)
}

// labelIn returns the label, description and position of an event of type
// eventType (placed at p) in a flow following seq.
func labelIn(seq catalog.Sequence, hasSeq bool, p placement, eventType string) (label, description string, position int) {
	if hasSeq {
		for _, step := range seq.Steps {
			switch {
			case step.Has(eventType):
				return numbered(seq, step), describe(step.Description, eventType), step.Number
			case step.IsRef() && refCovers(step.Ref, p.seq):
				return numbered(seq, step) + ": " + p.label, p.description, step.Number
			}
		}
	}
	return p.label, p.description, 0
}

// numbered prefixes a step's label with "n/N" in an ordered sequence.
func numbered(seq catalog.Sequence, step catalog.Step) string {
	if !seq.Ordered {
		return step.Label
	}
	return fmt.Sprintf("%d/%d %s", step.Number, len(seq.Steps), step.Label)
}

// requiredSteps returns the steps of seq that are not optional.
func requiredSteps(seq catalog.Sequence) []catalog.Step {
	return loadCatalog().required[seq.Name]
}

// fatigueTypes are the MFA challenges that reach a user's phone: Okta
// Verify push, SMS and voice call, when authenticating or enrolling.
var fatigueTypes = map[string]string{
	"system.push.send_factor_verify_push":        "push",
	"system.sms.send_factor_verify_message":      "SMS",
	"system.sms.send_phone_verification_message": "SMS",
	"system.voice.send_phone_verification_call":  "voice call",
	"system.voice.send_mfa_challenge_call":       "voice call",
}
