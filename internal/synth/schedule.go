package synth

// The schedule: when benign stories start. Starts follow a Poisson process
// whose rate follows the org's weekly rhythm, and whose mean is adjusted at
// every step to the events still wanted and the activity left, so the log
// lands near Options.Events whatever the mix of stories.

const hourMs = 3600 * 1000

// advanceStoryClock draws the start of the next benign story.
func (g *Generator) advanceStoryClock() {
	remaining := float64(g.opts.Events - g.plannedBenign)
	activityLeft := weekActivity.cumulative(g.lastStoryMs) - weekActivity.cumulative(g.nextStoryAt)
	if remaining <= 0 || activityLeft <= 0 {
		g.storiesDone = true
		return
	}
	perStory := meanEventsPerStoryGuess
	if g.stories >= 50 {
		perStory = float64(g.plannedBenign) / float64(g.stories)
	}
	meanGap := activityLeft / max(remaining/perStory, 1) // in activity-weighted hours
	gapHours := g.traffic.exp(meanGap) / weekActivity.at(g.nextStoryAt)
	g.nextStoryAt += int64(gapHours * hourMs)
	if g.nextStoryAt > g.lastStoryMs {
		g.storiesDone = true
	}
}

// hourWeights is the relative sign-in activity per UTC hour of a weekday in
// an org whose staff is mostly in North America with a European minority.
var hourWeights = [24]float64{
	0.9, 0.7, 0.5, 0.35, 0.3, 0.3, 0.4, 0.7, 0.9, 1.0, 1.0, 1.0,
	1.1, 1.4, 1.7, 1.8, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3, 1.1, 1.0,
}

const weekendFactor = 0.35

// activityProfile is the org's activity for each hour of the week (UTC,
// hour 0 = Sunday 00:00), normalised to a mean of 1, with its running sum.
type activityProfile struct {
	weight [7 * 24]float64
	prefix [7*24 + 1]float64
}

var weekActivity = newActivityProfile()

func newActivityProfile() *activityProfile {
	p := &activityProfile{}
	var total float64
	for h := range p.weight {
		w := hourWeights[h%24]
		if day := h / 24; day == 0 || day == 6 {
			w *= weekendFactor
		}
		p.weight[h] = w
		total += w
	}
	mean := total / float64(len(p.weight))
	for h := range p.weight {
		p.weight[h] /= mean
		p.prefix[h+1] = p.prefix[h] + p.weight[h]
	}
	return p
}

// hourOfWeek splits a time into whole weeks since the epoch's first Sunday
// and the hour within the week, with the fraction of that hour elapsed.
func hourOfWeek(ms int64) (weeks int64, hour int, fraction float64) {
	const epochToSundayMs = 4 * 24 * hourMs // 1970-01-01 was a Thursday
	const weekMs = 7 * 24 * hourMs
	shifted := ms + epochToSundayMs
	weeks = shifted / weekMs
	if shifted%weekMs < 0 {
		weeks--
	}
	within := shifted - weeks*weekMs
	return weeks, int(within / hourMs), float64(within%hourMs) / hourMs
}

// at returns the activity at a time, relative to the weekly mean.
func (p *activityProfile) at(ms int64) float64 {
	_, hour, _ := hourOfWeek(ms)
	return p.weight[hour]
}

// cumulative returns the activity accumulated from an arbitrary origin up
// to a time, in weighted hours; differences give the activity in between.
func (p *activityProfile) cumulative(ms int64) float64 {
	weeks, hour, fraction := hourOfWeek(ms)
	return float64(weeks)*p.prefix[len(p.weight)] + p.prefix[hour] + fraction*p.weight[hour]
}
