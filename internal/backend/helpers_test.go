package backend

import (
	"slices"
	"testing"
)

func TestUserRefsSorted(t *testing.T) {
	r := UserRefs{}
	r.Ref("b").ActorEvents = 2
	r.Ref("a").TargetEvents = 2
	r.Ref("c").ActorEvents = 1
	r.Ref("c").TargetEvents = 4
	r.Ref("d")
	var ids []string
	for _, ref := range r.Sorted() {
		ids = append(ids, ref.ID)
	}
	if want := []string{"c", "a", "b", "d"}; !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v", ids, want)
	}
	if got := r.Sorted()[0]; got.ActorEvents != 1 || got.TargetEvents != 4 {
		t.Errorf("c: %+v", got)
	}
}

func TestIsV1UUID(t *testing.T) {
	cases := map[string]bool{
		"a1b2c3d4-0e0f-11ee-8000-0123456789ab": true,
		"A1B2C3D4-0E0F-11EE-8000-0123456789AB": false, // upper case
		"a1b2c3d4-0e0f-41ee-8000-0123456789ab": false, // version 4
		"a1b2c3d4-0e0f-11ee-8000-0123456789a":  false, // short
		"a1b2c3d4x0e0f-11ee-8000-0123456789ab": false, // no dash
		"a1b2c3d4-0e0f-11ee-8000-0123456789ag": false, // not hex
		"":                                     false,
	}
	for u, want := range cases {
		if got := IsV1UUID(u); got != want {
			t.Errorf("IsV1UUID(%q) = %v, want %v", u, got, want)
		}
	}
}
