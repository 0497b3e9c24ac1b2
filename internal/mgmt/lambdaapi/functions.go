package lambdaapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/lambda"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/store"
)

// config is one version's configuration as stored.
type config struct {
	Runtime       string            `json:"runtime"`
	Role          string            `json:"role,omitempty"`
	Handler       string            `json:"handler,omitempty"`
	Description   string            `json:"description,omitempty"`
	Timeout       int               `json:"timeout"`
	MemorySize    int               `json:"memorySize"`
	Env           map[string]string `json:"env,omitempty"`
	CodeSha256    string            `json:"codeSha256"`
	CodeSize      int64             `json:"codeSize"`
	LastModified  string            `json:"lastModified"`
	RevisionID    string            `json:"revisionId"`
	Architectures []string          `json:"architectures,omitempty"`
}

// alias is a function alias.
type alias struct {
	Name            string          `json:"name"`
	FunctionVersion string          `json:"functionVersion"`
	Description     string          `json:"description,omitempty"`
	RoutingConfig   json.RawMessage `json:"routingConfig,omitempty"`
	RevisionID      string          `json:"revisionId"`
}

// record is everything stored about one function.
type record struct {
	Name        string             `json:"name"`
	Latest      config             `json:"latest"`
	Versions    map[string]*config `json:"versions,omitempty"`
	LastVersion int                `json:"lastVersion"`
	Aliases     map[string]*alias  `json:"aliases,omitempty"`
	// Policies holds resource policy statements by qualifier ("" for
	// the unqualified function), in the order they were added.
	Policies       map[string][]json.RawMessage `json:"policies,omitempty"`
	PolicyRevision string                       `json:"policyRevision,omitempty"`
	Reserved       *int                         `json:"reserved,omitempty"`
	Tags           map[string]string            `json:"tags,omitempty"`
}

// clone returns a deep enough copy of r for a write to modify.
func (r *record) clone() *record {
	c := *r
	c.Versions = maps.Clone(r.Versions)
	c.Aliases = make(map[string]*alias, len(r.Aliases))
	for k, a := range r.Aliases {
		ac := *a
		c.Aliases[k] = &ac
	}
	c.Policies = make(map[string][]json.RawMessage, len(r.Policies))
	for k, v := range r.Policies {
		c.Policies[k] = slices.Clone(v)
	}
	c.Tags = maps.Clone(r.Tags)
	c.Latest.Env = maps.Clone(r.Latest.Env)
	c.Latest.Architectures = slices.Clone(r.Latest.Architectures)
	return &c
}

// environment is the Environment member.
type environment struct {
	Variables map[string]string `json:"Variables"`
}

type functionCode struct {
	ZipFile         []byte `json:"ZipFile"`
	S3Bucket        string `json:"S3Bucket"`
	S3Key           string `json:"S3Key"`
	S3ObjectVersion string `json:"S3ObjectVersion"`
	ImageUri        string `json:"ImageUri"`
	SourceKMSKeyArn string `json:"SourceKMSKeyArn"`
}

// createFunctionInput takes every CreateFunction member; those Portico
// does not use are accepted and ignored.
type createFunctionInput struct {
	FunctionName           string            `json:"FunctionName"`
	Runtime                string            `json:"Runtime"`
	Role                   string            `json:"Role"`
	Handler                string            `json:"Handler"`
	Code                   *functionCode     `json:"Code"`
	Description            string            `json:"Description"`
	Timeout                *int              `json:"Timeout"`
	MemorySize             *int              `json:"MemorySize"`
	Publish                bool              `json:"Publish"`
	PublishTo              json.RawMessage   `json:"PublishTo"`
	VpcConfig              json.RawMessage   `json:"VpcConfig"`
	PackageType            string            `json:"PackageType"`
	DeadLetterConfig       json.RawMessage   `json:"DeadLetterConfig"`
	Environment            *environment      `json:"Environment"`
	KMSKeyArn              json.RawMessage   `json:"KMSKeyArn"`
	TracingConfig          json.RawMessage   `json:"TracingConfig"`
	Tags                   map[string]string `json:"Tags"`
	Layers                 json.RawMessage   `json:"Layers"`
	FileSystemConfigs      json.RawMessage   `json:"FileSystemConfigs"`
	CodeSigningConfigArn   json.RawMessage   `json:"CodeSigningConfigArn"`
	ImageConfig            json.RawMessage   `json:"ImageConfig"`
	Architectures          []string          `json:"Architectures"`
	EphemeralStorage       json.RawMessage   `json:"EphemeralStorage"`
	SnapStart              json.RawMessage   `json:"SnapStart"`
	LoggingConfig          json.RawMessage   `json:"LoggingConfig"`
	TenancyConfig          json.RawMessage   `json:"TenancyConfig"`
	CapacityProviderConfig json.RawMessage   `json:"CapacityProviderConfig"`
	DurableConfig          json.RawMessage   `json:"DurableConfig"`
}

// checkLimits validates Timeout and MemorySize as Lambda does.
func checkLimits(timeout, memory *int) error {
	if timeout != nil && (*timeout < 1 || *timeout > 900) {
		c := "Member must have value greater than or equal to 1"
		if *timeout > 900 {
			c = "Member must have value less than or equal to 900"
		}
		return validation(strconv.Itoa(*timeout), "timeout", c)
	}
	if memory != nil && (*memory < 128 || *memory > 10240) {
		c := "Member must have value greater than or equal to 128"
		if *memory > 10240 {
			c = "Member must have value less than or equal to 10240"
		}
		return validation(strconv.Itoa(*memory), "memorySize", c)
	}
	return nil
}

// checkRuntime rejects what the local runner cannot start, naming what
// to install; functions run remotely are not checked.
func (s *Service) checkRuntime(name string, c *config, tags map[string]string) error {
	if tags[EndpointTag] != "" {
		return nil
	}
	if c.Runtime == "" {
		return invalidParam("Runtime and Handler are mandatory parameters for functions created with Zip packages.")
	}
	if c.Handler == "" && c.Runtime != "provided" && !hasPrefix(c.Runtime, "provided.") {
		return invalidParam("Runtime and Handler are mandatory parameters for functions created with Zip packages.")
	}
	err := s.mgr.CheckRuntime(&lambda.Function{Name: name, Runtime: c.Runtime, Handler: c.Handler, CodeDir: os.TempDir()})
	if err != nil {
		return invalidParam("The runtime parameter of %s cannot be run by Portico: %v", c.Runtime, err)
	}
	return nil
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func (s *Service) createFunction(r *http.Request, _ mgmt.Params) (int, any, error) {
	var in createFunctionInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	ref, err := parseRef(in.FunctionName, "")
	if err != nil {
		return 0, nil, err
	}
	if ref.qualifier != "" {
		return 0, nil, invalidParam("Unsupported function name: qualifiers are not allowed in CreateFunction")
	}
	if in.PackageType == "Image" || in.Code != nil && in.Code.ImageUri != "" {
		return 0, nil, invalidParam("Portico runs Zip packages only: container images are not supported")
	}
	if in.Code == nil || len(in.Code.ZipFile) == 0 {
		if in.Code != nil && in.Code.S3Bucket != "" {
			return 0, nil, invalidParam("Portico takes function code as ZipFile only: S3Bucket/S3Key code is not supported")
		}
		return 0, nil, invalidParam("Please provide a source for function code.")
	}
	if err := checkLimits(in.Timeout, in.MemorySize); err != nil {
		return 0, nil, err
	}
	c := config{Runtime: in.Runtime, Role: in.Role, Handler: in.Handler, Description: in.Description,
		Timeout: 3, MemorySize: 128, Architectures: in.Architectures}
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		c.Env = in.Environment.Variables
	}
	if err := s.checkRuntime(ref.name, &c, in.Tags); err != nil {
		return 0, nil, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.lookup(ref.name) != nil {
		return 0, nil, conflict("Function already exist: %s", ref.name)
	}
	sha, size, err := s.unpack(ref.name, in.Code.ZipFile)
	if err != nil {
		return 0, nil, err
	}
	c.CodeSha256, c.CodeSize = sha, size
	c.LastModified = now()
	c.RevisionID = newRevision()
	rec := &record{Name: ref.name, Latest: c, Tags: in.Tags}
	out := s.configOut(rec, &rec.Latest, "$LATEST")
	if in.Publish {
		v := rec.publish("")
		out = s.configOut(rec, rec.Versions[v], v)
	}
	if err := s.save(r.Context(), rec); err != nil {
		return 0, nil, err
	}
	return 201, out, nil
}

// publish snapshots Latest as a new version unless the newest version
// already has the same code and configuration; it returns the version.
func (r *record) publish(description string) string {
	if r.LastVersion > 0 {
		if last := r.Versions[strconv.Itoa(r.LastVersion)]; last != nil && sameConfig(last, &r.Latest) {
			return strconv.Itoa(r.LastVersion)
		}
	}
	r.LastVersion++
	v := strconv.Itoa(r.LastVersion)
	c := r.Latest
	c.Env = maps.Clone(r.Latest.Env)
	if description != "" {
		c.Description = description
	}
	c.LastModified = now()
	c.RevisionID = newRevision()
	if r.Versions == nil {
		r.Versions = map[string]*config{}
	}
	r.Versions[v] = &c
	return v
}

func sameConfig(a, b *config) bool {
	return a.CodeSha256 == b.CodeSha256 && a.Runtime == b.Runtime && a.Handler == b.Handler &&
		a.Timeout == b.Timeout && a.MemorySize == b.MemorySize && maps.Equal(a.Env, b.Env) && a.Role == b.Role
}

// save stores rec and publishes it. Callers hold wmu.
func (s *Service) save(ctx context.Context, rec *record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode function %s: %w", rec.Name, err)
	}
	if err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		return tx.Put(storePrefix+rec.Name, b)
	}); err != nil {
		return fmt.Errorf("put function %s: %w", rec.Name, err)
	}
	s.publish(rec.Name, s.build(rec))
	return nil
}

// fnRef parses the {fn} label and the Qualifier query parameter.
func fnRef(r *http.Request, p mgmt.Params) (ref, error) {
	return parseRef(p["fn"], r.URL.Query().Get("Qualifier"))
}

// functionConfiguration is the FunctionConfiguration shape.
type functionConfiguration struct {
	FunctionName     string          `json:"FunctionName"`
	FunctionArn      string          `json:"FunctionArn"`
	Runtime          string          `json:"Runtime,omitempty"`
	Role             string          `json:"Role,omitempty"`
	Handler          string          `json:"Handler,omitempty"`
	CodeSize         int64           `json:"CodeSize"`
	Description      string          `json:"Description"`
	Timeout          int             `json:"Timeout"`
	MemorySize       int             `json:"MemorySize"`
	LastModified     string          `json:"LastModified"`
	CodeSha256       string          `json:"CodeSha256"`
	Version          string          `json:"Version"`
	Environment      *environment    `json:"Environment,omitempty"`
	TracingConfig    map[string]any  `json:"TracingConfig"`
	RevisionID       string          `json:"RevisionId"`
	State            string          `json:"State"`
	LastUpdateStatus string          `json:"LastUpdateStatus"`
	PackageType      string          `json:"PackageType"`
	Architectures    []string        `json:"Architectures"`
	EphemeralStorage map[string]int  `json:"EphemeralStorage"`
	SnapStart        map[string]any  `json:"SnapStart"`
	LoggingConfig    map[string]any  `json:"LoggingConfig"`
	Layers           json.RawMessage `json:"Layers,omitempty"`
}

func (s *Service) configOut(rec *record, c *config, version string) *functionConfiguration {
	arn := s.arn(rec.Name)
	if version != "$LATEST" {
		arn += ":" + version
	}
	out := &functionConfiguration{
		FunctionName: rec.Name, FunctionArn: arn, Runtime: c.Runtime, Role: c.Role, Handler: c.Handler,
		CodeSize: c.CodeSize, Description: c.Description, Timeout: c.Timeout, MemorySize: c.MemorySize,
		LastModified: c.LastModified, CodeSha256: c.CodeSha256, Version: version, RevisionID: c.RevisionID,
		TracingConfig: map[string]any{"Mode": "PassThrough"}, State: "Active", LastUpdateStatus: "Successful",
		PackageType: "Zip", Architectures: c.Architectures, EphemeralStorage: map[string]int{"Size": 512},
		SnapStart:     map[string]any{"ApplyOn": "None", "OptimizationStatus": "Off"},
		LoggingConfig: map[string]any{"LogFormat": "Text", "LogGroup": "/aws/lambda/" + rec.Name},
	}
	if len(out.Architectures) == 0 {
		out.Architectures = []string{"x86_64"}
	}
	if c.Env != nil {
		out.Environment = &environment{Variables: c.Env}
	}
	return out
}

func (s *Service) getFunction(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := fnRef(r, p)
	if err != nil {
		return 0, nil, err
	}
	e, c, _, version, err := s.resolve(ref)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{
		"Configuration": s.configOut(e.rec, c, version),
		"Code":          map[string]string{"RepositoryType": "S3", "Location": "file://" + s.codeDir(e.rec.Name, c.CodeSha256)},
	}
	if len(e.rec.Tags) > 0 {
		out["Tags"] = e.rec.Tags
	}
	if e.rec.Reserved != nil {
		out["Concurrency"] = map[string]int{"ReservedConcurrentExecutions": *e.rec.Reserved}
	}
	return 200, out, nil
}

func (s *Service) getConfiguration(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := fnRef(r, p)
	if err != nil {
		return 0, nil, err
	}
	e, c, _, version, err := s.resolve(ref)
	if err != nil {
		return 0, nil, err
	}
	return 200, s.configOut(e.rec, c, version), nil
}

func (s *Service) listFunctions(r *http.Request, _ mgmt.Params) (int, any, error) {
	q := r.URL.Query()
	max := 50
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return 0, nil, validation(v, "maxItems", "Member must have value between 1 and 10000")
		}
		max = n
	}
	funcs := *s.funcs.Load()
	names := slices.Sorted(maps.Keys(funcs))
	marker := q.Get("Marker")
	if marker != "" {
		i := sort.SearchStrings(names, marker)
		if i < len(names) && names[i] == marker {
			i++
		}
		names = names[i:]
	}
	all := q.Get("FunctionVersion") == "ALL"
	out := struct {
		Functions  []*functionConfiguration `json:"Functions"`
		NextMarker string                   `json:"NextMarker,omitempty"`
	}{Functions: []*functionConfiguration{}}
	for i, n := range names {
		if i == max {
			out.NextMarker = names[i-1]
			break
		}
		e := funcs[n]
		out.Functions = append(out.Functions, s.configOut(e.rec, &e.rec.Latest, "$LATEST"))
		if all {
			for _, v := range sortedVersions(e.rec) {
				out.Functions = append(out.Functions, s.configOut(e.rec, e.rec.Versions[v], v))
			}
		}
	}
	return 200, out, nil
}

func sortedVersions(rec *record) []string {
	vs := slices.Collect(maps.Keys(rec.Versions))
	sort.Slice(vs, func(i, j int) bool {
		a, _ := strconv.Atoi(vs[i])
		b, _ := strconv.Atoi(vs[j])
		return a < b
	})
	return vs
}

func (s *Service) deleteFunction(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := fnRef(r, p)
	if err != nil {
		return 0, nil, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.qualifiedARN(ref.name, ref.qualifier))
	}
	if ref.qualifier == "$LATEST" {
		return 0, nil, invalidParam("$LATEST version cannot be deleted without deleting the function.")
	}
	if ref.qualifier != "" {
		if e.rec.Versions[ref.qualifier] == nil {
			return 0, nil, functionNotFound(s.qualifiedARN(ref.name, ref.qualifier))
		}
		for _, a := range e.rec.Aliases {
			if a.FunctionVersion == ref.qualifier {
				return 0, nil, conflict("Unable to delete version because the following aliases reference it: [%s]", a.Name)
			}
		}
		rec := e.rec.clone()
		delete(rec.Versions, ref.qualifier)
		if err := s.save(r.Context(), rec); err != nil {
			return 0, nil, err
		}
		return 204, nil, nil
	}
	if err := s.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		err := tx.Delete(storePrefix + ref.name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}); err != nil {
		return 0, nil, fmt.Errorf("delete function %s: %w", ref.name, err)
	}
	s.publish(ref.name, nil)
	s.mgr.Retire(ref.name)
	if err := os.RemoveAll(filepath.Join(s.codeRoot, ref.name)); err != nil {
		s.log.Warn("remove function code", "function", ref.name, "err", err)
	}
	return 204, nil, nil
}

type updateConfigurationInput struct {
	Role                   string          `json:"Role"`
	Handler                *string         `json:"Handler"`
	Description            *string         `json:"Description"`
	Timeout                *int            `json:"Timeout"`
	MemorySize             *int            `json:"MemorySize"`
	VpcConfig              json.RawMessage `json:"VpcConfig"`
	Environment            *environment    `json:"Environment"`
	Runtime                *string         `json:"Runtime"`
	DeadLetterConfig       json.RawMessage `json:"DeadLetterConfig"`
	KMSKeyArn              json.RawMessage `json:"KMSKeyArn"`
	TracingConfig          json.RawMessage `json:"TracingConfig"`
	RevisionID             string          `json:"RevisionId"`
	Layers                 json.RawMessage `json:"Layers"`
	FileSystemConfigs      json.RawMessage `json:"FileSystemConfigs"`
	ImageConfig            json.RawMessage `json:"ImageConfig"`
	EphemeralStorage       json.RawMessage `json:"EphemeralStorage"`
	SnapStart              json.RawMessage `json:"SnapStart"`
	LoggingConfig          json.RawMessage `json:"LoggingConfig"`
	CapacityProviderConfig json.RawMessage `json:"CapacityProviderConfig"`
	DurableConfig          json.RawMessage `json:"DurableConfig"`
}

func errPrecondition() *awserr.Error {
	return lambdaErr(412, "PreconditionFailedException",
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

func (s *Service) updateConfiguration(r *http.Request, p mgmt.Params) (int, any, error) {
	var in updateConfigurationInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	ref, err := parseRef(p["fn"], "")
	if err != nil {
		return 0, nil, err
	}
	if err := checkLimits(in.Timeout, in.MemorySize); err != nil {
		return 0, nil, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	e := s.lookup(ref.name)
	if e == nil || ref.qualifier != "" && ref.qualifier != "$LATEST" {
		return 0, nil, functionNotFound(s.qualifiedARN(ref.name, ref.qualifier))
	}
	if in.RevisionID != "" && in.RevisionID != e.rec.Latest.RevisionID {
		return 0, nil, errPrecondition()
	}
	rec := e.rec.clone()
	c := &rec.Latest
	if in.Role != "" {
		c.Role = in.Role
	}
	if in.Handler != nil {
		c.Handler = *in.Handler
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	if in.Runtime != nil {
		c.Runtime = *in.Runtime
	}
	if in.Environment != nil {
		c.Env = in.Environment.Variables
	}
	if in.Runtime != nil || in.Handler != nil {
		if err := s.checkRuntime(rec.Name, c, rec.Tags); err != nil {
			return 0, nil, err
		}
	}
	c.LastModified = now()
	c.RevisionID = newRevision()
	if err := s.save(r.Context(), rec); err != nil {
		return 0, nil, err
	}
	return 200, s.configOut(rec, &rec.Latest, "$LATEST"), nil
}

type updateCodeInput struct {
	ZipFile         []byte          `json:"ZipFile"`
	S3Bucket        string          `json:"S3Bucket"`
	S3Key           string          `json:"S3Key"`
	S3ObjectVersion string          `json:"S3ObjectVersion"`
	ImageUri        string          `json:"ImageUri"`
	Architectures   []string        `json:"Architectures"`
	Publish         bool            `json:"Publish"`
	PublishTo       json.RawMessage `json:"PublishTo"`
	DryRun          bool            `json:"DryRun"`
	RevisionID      string          `json:"RevisionId"`
	SourceKMSKeyArn json.RawMessage `json:"SourceKMSKeyArn"`
}

func (s *Service) updateCode(r *http.Request, p mgmt.Params) (int, any, error) {
	var in updateCodeInput
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	ref, err := parseRef(p["fn"], "")
	if err != nil {
		return 0, nil, err
	}
	if len(in.ZipFile) == 0 {
		if in.S3Bucket != "" || in.ImageUri != "" {
			return 0, nil, invalidParam("Portico takes function code as ZipFile only")
		}
		return 0, nil, invalidParam("Please provide a source for function code.")
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.arn(ref.name))
	}
	if in.RevisionID != "" && in.RevisionID != e.rec.Latest.RevisionID {
		return 0, nil, errPrecondition()
	}
	if in.DryRun {
		if _, err := zipDigest(in.ZipFile); err != nil {
			return 0, nil, err
		}
		return 200, s.configOut(e.rec, &e.rec.Latest, "$LATEST"), nil
	}
	sha, size, err := s.unpack(ref.name, in.ZipFile)
	if err != nil {
		return 0, nil, err
	}
	rec := e.rec.clone()
	rec.Latest.CodeSha256, rec.Latest.CodeSize = sha, size
	if len(in.Architectures) > 0 {
		rec.Latest.Architectures = in.Architectures
	}
	rec.Latest.LastModified = now()
	rec.Latest.RevisionID = newRevision()
	out := s.configOut(rec, &rec.Latest, "$LATEST")
	if in.Publish {
		v := rec.publish("")
		out = s.configOut(rec, rec.Versions[v], v)
	}
	if err := s.save(r.Context(), rec); err != nil {
		return 0, nil, err
	}
	return 200, out, nil
}

// withRecord runs a write on the named function's record (unqualified).
func (s *Service) withRecord(r *http.Request, p mgmt.Params, fn func(rec *record) (int, any, error)) (int, any, error) {
	ref, err := parseRef(p["fn"], "")
	if err != nil {
		return 0, nil, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.arn(ref.name))
	}
	rec := e.rec.clone()
	status, out, err := fn(rec)
	if err != nil {
		return 0, nil, err
	}
	if err := s.save(r.Context(), rec); err != nil {
		return 0, nil, err
	}
	return status, out, nil
}

func (s *Service) publishVersion(r *http.Request, p mgmt.Params) (int, any, error) {
	var in struct {
		CodeSha256  string          `json:"CodeSha256"`
		Description string          `json:"Description"`
		RevisionID  string          `json:"RevisionId"`
		PublishTo   json.RawMessage `json:"PublishTo"`
	}
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	return s.withRecord(r, p, func(rec *record) (int, any, error) {
		if in.RevisionID != "" && in.RevisionID != rec.Latest.RevisionID {
			return 0, nil, errPrecondition()
		}
		if in.CodeSha256 != "" && in.CodeSha256 != rec.Latest.CodeSha256 {
			return 0, nil, invalidParam("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.", in.CodeSha256, rec.Latest.CodeSha256)
		}
		v := rec.publish(in.Description)
		return 201, s.configOut(rec, rec.Versions[v], v), nil
	})
}

func (s *Service) listVersions(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := parseRef(p["fn"], "")
	if err != nil {
		return 0, nil, err
	}
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.arn(ref.name))
	}
	vs := []*functionConfiguration{s.configOut(e.rec, &e.rec.Latest, "$LATEST")}
	for _, v := range sortedVersions(e.rec) {
		vs = append(vs, s.configOut(e.rec, e.rec.Versions[v], v))
	}
	return 200, map[string]any{"Versions": vs}, nil
}

func (s *Service) listTags(r *http.Request, p mgmt.Params) (int, any, error) {
	ref, err := parseRef(p["arn"], "")
	if err != nil {
		return 0, nil, err
	}
	e := s.lookup(ref.name)
	if e == nil {
		return 0, nil, functionNotFound(s.arn(ref.name))
	}
	tags := e.rec.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return 200, map[string]any{"Tags": tags}, nil
}
