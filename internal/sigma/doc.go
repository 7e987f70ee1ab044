// Package sigma loads Sigma detection rules for Okta (logsource product
// okta), evaluates them over Okta System Log events and converts them, where
// Okta's language can express them, to System Log filter expressions.
//
// A rule's detection compiles to a tree whose leaves are either filter.Expr
// comparisons (expressible in Okta's filter) or Go-side tests that Okta's
// filter cannot express: the |re and |cidr modifiers and wildcards inside a
// value. Matcher evaluates the whole tree; Filter and Convert give the Okta
// filter, or say exactly which part has no equivalent.
//
// Matching follows Okta's filter semantics, not Sigma's default: string
// comparisons are case-sensitive (as Okta's eq is), so that a converted
// filter selects the same events in the Okta console as the rule does here.
// The |cased modifier is accepted and changes nothing. A path through an
// array (target.displayName) matches when any element does.
package sigma
