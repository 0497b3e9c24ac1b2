package lambdaapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/internal/mgmt"
)

type addPermissionInput struct {
	StatementID           string `json:"StatementId"`
	Action                string `json:"Action"`
	Principal             string `json:"Principal"`
	SourceArn             string `json:"SourceArn"`
	SourceAccount         string `json:"SourceAccount"`
	EventSourceToken      string `json:"EventSourceToken"`
	RevisionID            string `json:"RevisionId"`
	PrincipalOrgID        string `json:"PrincipalOrgID"`
	FunctionURLAuthType   string `json:"FunctionUrlAuthType"`
	InvokedViaFunctionURL *bool  `json:"InvokedViaFunctionUrl"`
}

// statement is one resource policy statement as Lambda renders it.
type statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

func principal(p string) any {
	switch {
	case p == "*":
		return "*"
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn"):
		return map[string]string{"Service": p}
	case len(p) == 12 && strings.Trim(p, "0123456789") == "":
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	}
	return map[string]string{"AWS": p}
}

func (s *Service) addPermission(r *http.Request, p mgmt.Params) (int, any, error) {
	var in addPermissionInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	ref, err := fnRef(r, p)
	if err != nil {
		return 0, nil, err
	}
	if !validQualifier(in.StatementID) || in.StatementID == "$LATEST" {
		return 0, nil, validation(in.StatementID, "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)")
	}
	if in.Action == "" || in.Principal == "" {
		return 0, nil, invalidParam("Action and Principal are required")
	}
	p["fn"] = ref.name
	return s.withRecord(r, p, func(rec *record) (int, any, error) {
		if ref.qualifier != "" && ref.qualifier != "$LATEST" && rec.Versions[ref.qualifier] == nil && rec.Aliases[ref.qualifier] == nil {
			return 0, nil, functionNotFound(s.qualifiedARN(rec.Name, ref.qualifier))
		}
		if in.RevisionID != "" && in.RevisionID != rec.PolicyRevision && in.RevisionID != rec.Latest.RevisionID {
			return 0, nil, errPrecondition()
		}
		q := ref.qualifier
		for _, raw := range rec.Policies[q] {
			var st statement
			if json.Unmarshal(raw, &st) == nil && st.Sid == in.StatementID {
				return 0, nil, conflict("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", in.StatementID)
			}
		}
		st := statement{Sid: in.StatementID, Effect: "Allow", Principal: principal(in.Principal),
			Action: in.Action, Resource: s.qualifiedARN(rec.Name, q)}
		cond := map[string]map[string]string{}
		if in.SourceArn != "" {
			cond["ArnLike"] = map[string]string{"AWS:SourceArn": in.SourceArn}
		}
		if in.SourceAccount != "" || in.PrincipalOrgID != "" || in.FunctionURLAuthType != "" {
			eq := map[string]string{}
			if in.SourceAccount != "" {
				eq["AWS:SourceAccount"] = in.SourceAccount
			}
			if in.PrincipalOrgID != "" {
				eq["aws:PrincipalOrgID"] = in.PrincipalOrgID
			}
			if in.FunctionURLAuthType != "" {
				eq["lambda:FunctionUrlAuthType"] = in.FunctionURLAuthType
			}
			cond["StringEquals"] = eq
		}
		if len(cond) > 0 {
			st.Condition = cond
		}
		b, _ := json.Marshal(st)
		if rec.Policies == nil {
			rec.Policies = map[string][]json.RawMessage{}
		}
		rec.Policies[q] = append(rec.Policies[q], b)
		rec.PolicyRevision = newRevision()
		return 201, map[string]string{"Statement": string(b)}, nil
	})
}

func (s *Service) getPolicy(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := fnRef(r, p)
	if err != nil {
		return 0, nil, err
	}
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.qualifiedARN(ref.name, ref.qualifier))
	}
	sts := e.rec.Policies[ref.qualifier]
	if len(sts) == 0 {
		return 0, nil, notFound("The resource you requested does not exist.")
	}
	doc, _ := json.Marshal(struct {
		Version   string            `json:"Version"`
		ID        string            `json:"Id"`
		Statement []json.RawMessage `json:"Statement"`
	}{"2012-10-17", "default", sts})
	return 200, map[string]string{"Policy": string(doc), "RevisionId": e.rec.PolicyRevision}, nil
}

func (s *Service) removePermission(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := fnRef(r, p)
	if err != nil {
		return 0, nil, err
	}
	sid := p["sid"]
	rev := r.URL.Query().Get("RevisionId")
	p["fn"] = ref.name
	return s.withRecord(r, p, func(rec *record) (int, any, error) {
		if rev != "" && rev != rec.PolicyRevision {
			return 0, nil, errPrecondition()
		}
		sts := rec.Policies[ref.qualifier]
		for i, raw := range sts {
			var st statement
			if json.Unmarshal(raw, &st) == nil && st.Sid == sid {
				rec.Policies[ref.qualifier] = append(sts[:i:i], sts[i+1:]...)
				rec.PolicyRevision = newRevision()
				return 204, nil, nil
			}
		}
		return 0, nil, notFound("Statement %s is not found in resource policy.", sid)
	})
}

type aliasInput struct {
	Name            string          `json:"Name"`
	FunctionVersion string          `json:"FunctionVersion"`
	Description     *string         `json:"Description"`
	RoutingConfig   json.RawMessage `json:"RoutingConfig"`
	RevisionID      string          `json:"RevisionId"`
}

func (s *Service) aliasOut(name string, a *alias) map[string]any {
	out := map[string]any{"AliasArn": s.qualifiedARN(name, a.Name), "Name": a.Name,
		"FunctionVersion": a.FunctionVersion, "Description": a.Description, "RevisionId": a.RevisionID}
	if len(a.RoutingConfig) > 0 && string(a.RoutingConfig) != "null" {
		out["RoutingConfig"] = a.RoutingConfig
	}
	return out
}

func validAlias(n string) bool {
	if !validQualifier(n) || n == "$LATEST" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err != nil
}

func (s *Service) checkVersion(rec *record, v string) error {
	if v == "" {
		return invalidParam("FunctionVersion is required")
	}
	if v != "$LATEST" && rec.Versions[v] == nil {
		return functionNotFound(s.qualifiedARN(rec.Name, v))
	}
	return nil
}

func (s *Service) createAlias(r *http.Request, p mgmt.Params) (int, any, error) {
	var in aliasInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.RevisionID != "" {
		return 0, nil, mgmtUnknownField("RevisionId")
	}
	if !validAlias(in.Name) {
		return 0, nil, validation(in.Name, "name", "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
	}
	return s.withRecord(r, p, func(rec *record) (int, any, error) {
		if rec.Aliases[in.Name] != nil {
			return 0, nil, conflict("Alias already exists: %s", s.qualifiedARN(rec.Name, in.Name))
		}
		if err := s.checkVersion(rec, in.FunctionVersion); err != nil {
			return 0, nil, err
		}
		a := &alias{Name: in.Name, FunctionVersion: in.FunctionVersion, RoutingConfig: in.RoutingConfig, RevisionID: newRevision()}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if rec.Aliases == nil {
			rec.Aliases = map[string]*alias{}
		}
		rec.Aliases[in.Name] = a
		return 201, s.aliasOut(rec.Name, a), nil
	})
}

func mgmtUnknownField(name string) error {
	return mgmt.DecodeBytes([]byte(`{"`+name+`":0}`), &struct{}{})
}

func aliasNotFound(s *Service, fn, a string) error {
	return notFound("Cannot find alias arn: %s", s.qualifiedARN(fn, a))
}

func (s *Service) getAlias(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := parseRef(p["fn"], "")
	if err != nil {
		return 0, nil, err
	}
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.arn(ref.name))
	}
	a := e.rec.Aliases[p["alias"]]
	if a == nil {
		return 0, nil, aliasNotFound(s, ref.name, p["alias"])
	}
	return 200, s.aliasOut(ref.name, a), nil
}

func (s *Service) listAliases(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := parseRef(p["fn"], "")
	if err != nil {
		return 0, nil, err
	}
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.arn(ref.name))
	}
	fv := r.URL.Query().Get("FunctionVersion")
	out := []map[string]any{}
	for _, n := range sortedKeys(e.rec.Aliases) {
		a := e.rec.Aliases[n]
		if fv == "" || a.FunctionVersion == fv {
			out = append(out, s.aliasOut(ref.name, a))
		}
	}
	return 200, map[string]any{"Aliases": out}, nil
}

func (s *Service) updateAlias(r *http.Request, p mgmt.Params) (int, any, error) {
	var in aliasInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.Name != "" {
		return 0, nil, mgmtUnknownField("Name")
	}
	return s.withRecord(r, p, func(rec *record) (int, any, error) {
		a := rec.Aliases[p["alias"]]
		if a == nil {
			return 0, nil, aliasNotFound(s, rec.Name, p["alias"])
		}
		if in.RevisionID != "" && in.RevisionID != a.RevisionID {
			return 0, nil, errPrecondition()
		}
		if in.FunctionVersion != "" {
			if err := s.checkVersion(rec, in.FunctionVersion); err != nil {
				return 0, nil, err
			}
			a.FunctionVersion = in.FunctionVersion
		}
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.RoutingConfig != nil {
			a.RoutingConfig = in.RoutingConfig
		}
		a.RevisionID = newRevision()
		return 200, s.aliasOut(rec.Name, a), nil
	})
}

func (s *Service) deleteAlias(r *http.Request, p mgmt.Params) (int, any, error) {
	return s.withRecord(r, p, func(rec *record) (int, any, error) {
		delete(rec.Aliases, p["alias"])
		return 204, nil, nil
	})
}

// maxReserved is the most a function may reserve (the default account
// concurrency of 1000 less the 100 Lambda keeps unreserved).
const maxReserved = 900

func (s *Service) putConcurrency(r *http.Request, p mgmt.Params) (int, any, error) {
	var in struct {
		ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions"`
	}
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.ReservedConcurrentExecutions == nil {
		return 0, nil, invalidParam("ReservedConcurrentExecutions is required")
	}
	n := *in.ReservedConcurrentExecutions
	if n < 0 {
		return 0, nil, validation(strconv.Itoa(n), "reservedConcurrentExecutions", "Member must have value greater than or equal to 0")
	}
	if n > maxReserved {
		return 0, nil, invalidParam("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
	}
	return s.withRecord(r, p, func(rec *record) (int, any, error) {
		rec.Reserved = &n
		return 200, map[string]int{"ReservedConcurrentExecutions": n}, nil
	})
}

func (s *Service) getConcurrency(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := parseRef(p["fn"], "")
	if err != nil {
		return 0, nil, err
	}
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.arn(ref.name))
	}
	if e.rec.Reserved == nil {
		return 200, map[string]int{}, nil
	}
	return 200, map[string]int{"ReservedConcurrentExecutions": *e.rec.Reserved}, nil
}

func (s *Service) deleteConcurrency(r *http.Request, p mgmt.Params) (int, any, error) {
	return s.withRecord(r, p, func(rec *record) (int, any, error) {
		rec.Reserved = nil
		return 204, nil, nil
	})
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
