package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/portico-dev/portico/internal/model"
)

// jwtAuthorizer is a compiled JWT authorizer: the token comes from the
// identity source, its signature is checked against the issuer's JWKS,
// then iss, aud/client_id, exp, nbf and iat, and the route's scopes.
type jwtAuthorizer struct {
	id        string
	issuer    string
	audience  []string
	fromQuery bool
	name      string // header (canonical) or query parameter
	keys      *keySets
	now       func() time.Time
	parser    *jwt.Parser
}

func (s *Server) compileJWT(au *model.V2Authorizer) *jwtAuthorizer {
	ja := &jwtAuthorizer{id: au.AuthorizerID, keys: s.jwks, now: s.cfg.Now}
	if au.JWTConfiguration != nil {
		ja.issuer = au.JWTConfiguration.Issuer
		ja.audience = au.JWTConfiguration.Audience
	}
	if len(au.IdentitySource) > 0 {
		src := au.IdentitySource[0]
		if n, ok := strings.CutPrefix(src, "$request.querystring."); ok {
			ja.fromQuery, ja.name = true, n
		} else {
			ja.name = http.CanonicalHeaderKey(strings.TrimPrefix(src, "$request.header."))
		}
	}
	ja.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}),
		jwt.WithTimeFunc(func() time.Time { return ja.now() }),
		jwt.WithIssuedAt(),
	)
	return ja
}

// authorize returns 0 when the request may pass, else the status and
// body: 401 {"message":"Unauthorized"} for a missing or invalid token,
// 403 {"message":"Forbidden"} when it lacks every route scope.
func (ja *jwtAuthorizer) authorize(ctx context.Context, x *exchange) (int, []byte) {
	var tok string
	if ja.fromQuery {
		tok = x.r.URL.Query().Get(ja.name)
	} else {
		tok = x.r.Header.Get(ja.name)
	}
	tok = strings.TrimSpace(tok)
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		return http.StatusUnauthorized, msgUnauthorized
	}
	claims := jwt.MapClaims{}
	_, err := ja.parser.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		return ja.keys.key(ctx, ja.issuer, kid)
	})
	if err != nil {
		return http.StatusUnauthorized, msgUnauthorized
	}
	if iss, _ := claims["iss"].(string); iss != ja.issuer {
		return http.StatusUnauthorized, msgUnauthorized
	}
	if _, ok := claims["exp"]; !ok {
		return http.StatusUnauthorized, msgUnauthorized
	}
	if !ja.audienceOK(claims) {
		return http.StatusUnauthorized, msgUnauthorized
	}
	scopes := tokenScopes(claims)
	if len(x.route.scopes) > 0 {
		ok := false
		for _, want := range x.route.scopes {
			if slices.Contains(scopes, want) {
				ok = true
				break
			}
		}
		if !ok {
			return http.StatusForbidden, msgForbidden
		}
	}
	x.claims = claims
	x.scopes = scopes
	return 0, nil
}

// audienceOK: aud, or client_id when aud is absent, must be one of the
// configured audiences.
func (ja *jwtAuthorizer) audienceOK(c jwt.MapClaims) bool {
	var auds []string
	switch v := c["aud"].(type) {
	case string:
		auds = []string{v}
	case []any:
		for _, a := range v {
			if s, ok := a.(string); ok {
				auds = append(auds, s)
			}
		}
	case nil:
		if id, ok := c["client_id"].(string); ok {
			auds = []string{id}
		}
	}
	for _, a := range auds {
		if slices.Contains(ja.audience, a) {
			return true
		}
	}
	return false
}

// tokenScopes reads scope (space separated) or scp (list or string).
func tokenScopes(c jwt.MapClaims) []string {
	if s, ok := c["scope"].(string); ok {
		return strings.Fields(s)
	}
	switch v := c["scp"].(type) {
	case string:
		return strings.Fields(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// claimString renders a claim as API Gateway passes it on: strings as
// they are, numbers in plain notation, lists as "[a b]", objects as JSON.
func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = claimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
