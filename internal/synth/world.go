package synth

// The reference data of the synthetic org: places, networks, browsers and
// applications. IP addresses come only from ranges that no real host uses:
// 198.18.0.0/15 (RFC 2544 benchmarking) for subscribers of residential and
// mobile ISPs, 192.0.2.0/24 (TEST-NET-1) for office egress, 198.51.100.0/24
// and 203.0.113.0/25 (TEST-NET-2/3) for attacker infrastructure,
// 203.0.113.128/25 for SaaS back ends, 2001:db8::/32 for IPv6 subscribers.
// ASNs, ISP names and coordinates are real, so the events read like real ones.

// place is a city as Okta's geolocation reports it.
type place struct {
	city, state, country, postalCode string
	lat, lon                         float64
}

// netKind says what a network is used for.
type netKind uint8

const (
	netResidential netKind = iota
	netMobile
	netOffice
	netHosting // attacker infrastructure: hosting, VPN and proxy providers
	netService // SaaS back ends calling Okta's token endpoint
)

// network is an autonomous system with the address block the generator
// draws its addresses from.
type network struct {
	kind    netKind
	country string
	asn     int
	asOrg   string
	isp     string
	domain  string
	isProxy bool
	v4Base  uint32 // first address of the block
	v4Size  uint32 // addresses in the block
	v6      bool   // subscribers get IPv6 addresses under 2001:db8::/32
	zone    string // client.zone: the Okta network zone the IP matches
}

func ipv4(a, b, c, d uint32) uint32 { return a<<24 | b<<16 | c<<8 | d }

// benchBlock returns the n-th /20 of 198.18.0.0/15.
func benchBlock(n uint32) uint32 { return ipv4(198, 18, 0, 0) + n<<12 }

var places = map[string][]place{
	"United States": {
		{"San Francisco", "California", "United States", "94107", 37.7697, -122.3933},
		{"Oakland", "California", "United States", "94612", 37.8044, -122.2712},
		{"New York", "New York", "United States", "10001", 40.7506, -73.9972},
		{"Brooklyn", "New York", "United States", "11215", 40.6681, -73.9806},
		{"Austin", "Texas", "United States", "78701", 30.2711, -97.7437},
		{"Seattle", "Washington", "United States", "98109", 47.6339, -122.3476},
		{"Chicago", "Illinois", "United States", "60614", 41.9227, -87.6533},
		{"Denver", "Colorado", "United States", "80202", 39.7525, -104.9995},
		{"Boston", "Massachusetts", "United States", "02116", 42.3496, -71.0746},
		{"Atlanta", "Georgia", "United States", "30309", 33.7984, -84.3883},
	},
	"United Kingdom": {
		{"London", "England", "United Kingdom", "EC2A", 51.5225, -0.0823},
		{"Manchester", "England", "United Kingdom", "M1", 53.4811, -2.2374},
		{"Bristol", "England", "United Kingdom", "BS1", 51.4545, -2.5879},
	},
	"Germany": {
		{"Berlin", "Land Berlin", "Germany", "10115", 52.5323, 13.3846},
		{"Munich", "Bavaria", "Germany", "80331", 48.1371, 11.5754},
		{"Hamburg", "Hamburg", "Germany", "20095", 53.5511, 9.9937},
	},
	"Canada": {
		{"Toronto", "Ontario", "Canada", "M5V", 43.6426, -79.3871},
		{"Vancouver", "British Columbia", "Canada", "V6B", 49.2827, -123.1207},
	},
}

// homeCountries are where employees live, with their share of the staff.
var homeCountries = []struct {
	name   string
	weight int
}{{"United States", 65}, {"United Kingdom", 15}, {"Germany", 10}, {"Canada", 10}}

var residentialNetworks = []network{
	{kind: netResidential, country: "United States", asn: 7922, asOrg: "comcast", isp: "comcast cable communications llc", domain: "comcast.net", v4Base: benchBlock(0), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "United States", asn: 701, asOrg: "verizon", isp: "verizon fios", domain: "verizon.net", v4Base: benchBlock(1), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "United States", asn: 7018, asOrg: "at&t corp.", isp: "att services inc", domain: "sbcglobal.net", v4Base: benchBlock(2), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "United States", asn: 20115, asOrg: "charter communications", isp: "charter communications inc", domain: "rr.com", v4Base: benchBlock(3), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "United Kingdom", asn: 2856, asOrg: "british telecommunications plc", isp: "bt", domain: "bt.com", v4Base: benchBlock(4), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "United Kingdom", asn: 5089, asOrg: "virgin media limited", isp: "virgin media", domain: "virginm.net", v4Base: benchBlock(5), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "Germany", asn: 3320, asOrg: "deutsche telekom ag", isp: "deutsche telekom ag", domain: "t-ipconnect.de", v4Base: benchBlock(6), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "Germany", asn: 3209, asOrg: "vodafone gmbh", isp: "vodafone germany", domain: "vodafone.de", v4Base: benchBlock(7), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "Canada", asn: 812, asOrg: "rogers communications canada inc.", isp: "rogers cable", domain: "rogers.com", v4Base: benchBlock(8), v4Size: 4096, zone: "null"},
	{kind: netResidential, country: "Canada", asn: 577, asOrg: "bell canada", isp: "bell canada", domain: "bell.ca", v4Base: benchBlock(9), v4Size: 4096, zone: "null"},
}

var mobileNetworks = []network{
	{kind: netMobile, country: "United States", asn: 21928, asOrg: "t-mobile usa, inc.", isp: "t-mobile usa inc.", domain: "tmodns.net", v4Base: benchBlock(10), v4Size: 4096, v6: true, zone: "null"},
	{kind: netMobile, country: "United States", asn: 22394, asOrg: "verizon wireless", isp: "verizon wireless", domain: "myvzw.com", v4Base: benchBlock(11), v4Size: 4096, zone: "null"},
	{kind: netMobile, country: "United Kingdom", asn: 12576, asOrg: "ee limited", isp: "ee", domain: "ee.co.uk", v4Base: benchBlock(12), v4Size: 4096, zone: "null"},
	{kind: netMobile, country: "Germany", asn: 6805, asOrg: "telefonica germany gmbh & co.ohg", isp: "telefonica o2 germany", domain: "telefonica.de", v4Base: benchBlock(13), v4Size: 4096, zone: "null"},
	{kind: netMobile, country: "Canada", asn: 812, asOrg: "rogers communications canada inc.", isp: "rogers wireless", domain: "rogers.com", v4Base: benchBlock(14), v4Size: 4096, zone: "null"},
}

// office is an Acme office: its place and its egress network (a handful of
// NAT addresses shared by everyone in the building).
type office struct {
	place   place
	network network
}

var offices = map[string]office{
	"United States":  {places["United States"][0], network{kind: netOffice, country: "United States", asn: 6461, asOrg: "zayo bandwidth", isp: "zayo bandwidth", domain: "zayo.com", v4Base: ipv4(192, 0, 2, 10), v4Size: 4, zone: "Acme HQ"}},
	"United Kingdom": {places["United Kingdom"][0], network{kind: netOffice, country: "United Kingdom", asn: 8220, asOrg: "colt technology services group limited", isp: "colt", domain: "colt.net", v4Base: ipv4(192, 0, 2, 40), v4Size: 2, zone: "Acme London"}},
	"Germany":        {places["Germany"][0], network{kind: netOffice, country: "Germany", asn: 3320, asOrg: "deutsche telekom ag", isp: "deutsche telekom ag", domain: "telekom.de", v4Base: ipv4(192, 0, 2, 60), v4Size: 2, zone: "Acme Berlin"}},
	"Canada":         {places["Canada"][0], network{kind: netOffice, country: "Canada", asn: 577, asOrg: "bell canada", isp: "bell canada", domain: "bell.ca", v4Base: ipv4(192, 0, 2, 80), v4Size: 2, zone: "Acme Toronto"}},
}

// attackerSite is infrastructure used only by planted incidents: its ASNs
// and countries never appear in benign traffic.
type attackerSite struct {
	place   place
	network network
}

var attackerSites = []attackerSite{
	{place{"Amsterdam", "North Holland", "Netherlands", "1012", 52.3759, 4.8975}, network{kind: netHosting, country: "Netherlands", asn: 9009, asOrg: "m247 europe srl", isp: "m247 ltd", domain: "m247.com", v4Base: ipv4(198, 51, 100, 16), v4Size: 64, zone: "null"}},
	{place{"Bucharest", "Bucuresti", "Romania", "010011", 44.4354, 26.1033}, network{kind: netHosting, country: "Romania", asn: 60068, asOrg: "datacamp limited", isp: "cdn77.com", domain: "datacamp.co.uk", isProxy: true, v4Base: ipv4(198, 51, 100, 128), v4Size: 64, zone: "null"}},
	{place{"Singapore", "Central Singapore", "Singapore", "018989", 1.2897, 103.8501}, network{kind: netHosting, country: "Singapore", asn: 14061, asOrg: "digitalocean, llc", isp: "digitalocean llc", domain: "digitalocean.com", v4Base: ipv4(203, 0, 113, 16), v4Size: 64, zone: "null"}},
	{place{"Vilnius", "Vilnius", "Lithuania", "01100", 54.6892, 25.2798}, network{kind: netHosting, country: "Lithuania", asn: 20473, asOrg: "the constant company, llc", isp: "vultr holdings llc", domain: "vultr.com", v4Base: ipv4(203, 0, 113, 80), v4Size: 32, zone: "null"}},
}

// serviceSite is where SaaS back ends call Okta from (token exchanges).
var serviceSite = attackerSite{
	place{"Ashburn", "Virginia", "United States", "20149", 39.0469, -77.4903},
	network{kind: netService, country: "United States", asn: 16509, asOrg: "amazon.com inc.", isp: "amazon.com inc.", domain: "amazonaws.com", v4Base: ipv4(203, 0, 113, 128), v4Size: 128, zone: "null"},
}

// agent is a browser or client as Okta parses its user agent.
type agent struct {
	raw     string
	os      string
	browser string
	mobile  bool
}

var desktopAgents = []agent{
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Windows 10", "CHROME", false},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86", "Windows 10", "CHROMIUM_EDGE", false},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Mac OS X", "CHROME", false},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15", "Mac OS X", "SAFARI", false},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0", "Mac OS X", "FIREFOX", false},
	{"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Linux", "FIREFOX", false},
}

var desktopAgentWeights = []int{30, 15, 30, 12, 8, 5}

var mobileAgents = []agent{
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1", "iOS", "SAFARI", true},
	{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Android", "CHROME", true},
}

// attackerAgents are user agents no employee uses.
var attackerAgents = []agent{
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Windows 10", "CHROME", false},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Linux", "CHROME", false},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:122.0) Gecko/20100101 Firefox/122.0", "Windows 10", "FIREFOX", false},
}

// phoneModel is the Okta Verify device record of a phone.
type phoneModel struct{ name, platform, version string }

var phoneModels = []phoneModel{
	{"iPhone 15", "IOS", "18.2"}, {"iPhone 14 Pro", "IOS", "17.6.1"},
	{"Pixel 8", "ANDROID", "15"}, {"Galaxy S23", "ANDROID", "14"},
}

// appSpec describes an application in the org's catalogue.
type appSpec struct {
	label      string
	appName    string // Okta's integration name, used in SSO URLs
	signOnMode string // target detailEntry.signOnModeType
	stepUpMFA  bool   // the app sign-on policy asks for MFA again
	denyRate   float64
	audience   audience
	popularity int
}

// audience says which users are assigned an app.
type audience uint8

const (
	everyone audience = iota
	mostUsers
	engineers
	admins
)

const (
	appDashboard = iota // index of the Okta Dashboard in appCatalogue
	appAdminConsole
)

var appCatalogue = []appSpec{
	{"Okta Dashboard", "okta_enduser", "OPENID_CONNECT", false, 0, everyone, 0},
	{"Okta Admin Console", "saasure", "OPENID_CONNECT", true, 0, admins, 6},
	{"Salesforce", "salesforce", "SAML_2_0", false, 0.01, mostUsers, 14},
	{"Slack", "slack", "SAML_2_0", false, 0, everyone, 22},
	{"GitHub Enterprise Cloud", "githubcloud", "SAML_2_0", true, 0.03, engineers, 14},
	{"Google Workspace", "google", "SAML_2_0", false, 0, everyone, 18},
	{"Zoom", "zoomus", "SAML_2_0", false, 0, everyone, 10},
	{"Atlassian Cloud", "atlassian", "SAML_2_0", false, 0, engineers, 10},
	{"AWS IAM Identity Center", "amazon_aws_sso", "SAML_2_0", true, 0.12, engineers, 8},
	{"Workday", "workday", "SAML_2_0", true, 0.05, everyone, 4},
	{"Microsoft Office 365", "office365", "WS_FEDERATION", false, 0, mostUsers, 9},
}

var firstNames = []string{
	"Aisha", "Alex", "Amelia", "Ana", "Andre", "Ben", "Carla", "Chen", "Chloe", "Daniel",
	"David", "Diego", "Elena", "Emma", "Ethan", "Fatima", "Felix", "Grace", "Hana", "Hugo",
	"Isaac", "Ivy", "Jack", "James", "Jana", "Jonas", "Julia", "Kai", "Kenji", "Laura",
	"Leah", "Liam", "Lucas", "Maya", "Mia", "Mohammed", "Nadia", "Noah", "Nora", "Olivia",
	"Omar", "Paul", "Priya", "Rafael", "Riya", "Rosa", "Ryan", "Sam", "Sara", "Sofia",
	"Tariq", "Theo", "Tom", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe", "Zara",
}

var lastNames = []string{
	"Adams", "Ahmed", "Becker", "Brown", "Campbell", "Chen", "Clark", "Costa", "Davis", "Diaz",
	"Evans", "Fischer", "Garcia", "Green", "Hall", "Hansen", "Ito", "Jensen", "Johnson", "Kim",
	"Klein", "Kumar", "Lee", "Lopez", "Martin", "Meyer", "Miller", "Moore", "Nguyen", "Novak",
	"Okafor", "Patel", "Perez", "Quinn", "Reyes", "Rossi", "Sato", "Schmidt", "Shah", "Silva",
	"Singh", "Smith", "Taylor", "Thomas", "Tran", "Wagner", "Walker", "Wang", "Weber", "Wilson",
	"Wright", "Young", "Zhang", "Ziegler",
}
