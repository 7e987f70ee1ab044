package timeline

import (
	"slices"
	"testing"
)

// TestTakeoverBelongsToLatestRecovery: a sign-in from a new network after
// two recoveries of the user is the takeover of the latest one whose watch
// it matches, not of both: one attack, one deviation.
func TestTakeoverBelongsToLatestRecovery(t *testing.T) {
	hour := 3600
	t.Run("cited by the latest recovery", func(t *testing.T) {
		l := newLog(t)
		l.signin(0, "102S1", nil)
		unlock := recoveryAt(l, hour, "system.email.account_unlock.sent_message", "user.account.unlock_token")
		reset := recoveryAt(l, hour+20*60, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
		attack := l.signin(hour+40*60, "102S2", &attacker)
		devs := ofKind(Build(slices.Values(l.events), Options{}), RecoveryTakeover)
		if len(devs) != 1 {
			t.Fatalf("%d takeovers: %s", len(devs), dump(devs))
		}
		d := devs[0]
		if d.UUIDs[0] != reset[0] || slices.Contains(d.UUIDs, unlock[0]) || !slices.Contains(d.UUIDs, attack[0]) {
			t.Errorf("the takeover is not the reset's: %s", dump(devs))
		}
	})
	t.Run("an earlier recovery keeps what the latest does not match", func(t *testing.T) {
		l := newLog(t)
		l.signin(0, "102S1", nil)
		first := recoveryAt(l, hour, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
		early := l.signin(hour+10*60, "102S2", &attacker) // new since the first reset
		recoveryAt(l, hour+20*60, "system.email.password_reset.sent_message", "user.account.reset_password", "user.account.update_password")
		late := l.signin(hour+40*60, "102S3", &attacker) // seen before the second: only the first's
		devs := ofKind(Build(slices.Values(l.events), Options{}), RecoveryTakeover)
		if len(devs) != 1 || devs[0].UUIDs[0] != first[0] || !slices.Contains(devs[0].UUIDs, early[0]) || !slices.Contains(devs[0].UUIDs, late[0]) {
			t.Fatalf("takeovers: %s", dump(devs))
		}
	})
}
