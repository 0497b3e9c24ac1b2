package model

// Store keys of the v2 model. Every entity of one API lives under a
// prefix ending in the API id and '/', so deleting an API is one
// DeletePrefix per kind. The management plane writes them; the HTTP API
// deployer reads them when an API changes.

// V2APIKey is where v2 API id is stored.
func V2APIKey(id string) string { return "v2apis/" + id }

// V2APIPrefix is the prefix of every v2 API.
const V2APIPrefix = "v2apis/"

// V2RouteKey is where route id of api is stored.
func V2RouteKey(api, id string) string { return "v2routes/" + api + "/" + id }

// V2RouteKeyIndex maps a route key of api to its route id (route keys
// are unique per API).
func V2RouteKeyIndex(api, routeKey string) string { return "v2routekeys/" + api + "/" + routeKey }

// V2IntegrationKey is where integration id of api is stored.
func V2IntegrationKey(api, id string) string { return "v2integrations/" + api + "/" + id }

// V2AuthorizerKey is where authorizer id of api is stored.
func V2AuthorizerKey(api, id string) string { return "v2authorizers/" + api + "/" + id }

// V2DeploymentKey is where deployment id of api is stored.
func V2DeploymentKey(api, id string) string { return "v2deployments/" + api + "/" + id }

// V2SnapshotKey is where the V2Snapshot of deployment id of api is stored.
func V2SnapshotKey(api, id string) string { return "v2snapshots/" + api + "/" + id }

// V2StageKey is where stage name of api is stored.
func V2StageKey(api, name string) string { return "v2stages/" + api + "/" + name }

// V2VpcLinkKey is where v2 VPC link id is stored.
func V2VpcLinkKey(id string) string { return "v2vpclinks/" + id }

// V2VpcLinkPrefix is the prefix of every v2 VPC link.
const V2VpcLinkPrefix = "v2vpclinks/"

// V2APIChildPrefixes returns the prefixes holding api's routes,
// integrations, authorizers, deployments, snapshots and stages.
func V2APIChildPrefixes(api string) []string {
	return []string{"v2routes/" + api + "/", "v2routekeys/" + api + "/", "v2integrations/" + api + "/", "v2authorizers/" + api + "/",
		"v2deployments/" + api + "/", "v2snapshots/" + api + "/", "v2stages/" + api + "/"}
}
