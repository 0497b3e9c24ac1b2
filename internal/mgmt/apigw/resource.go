package apigw

import (
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/portico-dev/portico/internal/awserr"
	"github.com/portico-dev/portico/internal/mgmt"
	"github.com/portico-dev/portico/internal/model"
	"github.com/portico-dev/portico/internal/store"
)

// pathPartPattern is what a resource path part may be: a literal, a
// {variable} or a greedy {variable+} (integrations-v1.md §11.1).
var pathPartPattern = regexp.MustCompile(`^(?:[a-zA-Z0-9._:~@!$&'()*,;=-]+|\{[a-zA-Z0-9._-]+\+?\})$`)

func isVariable(part string) bool { return strings.HasPrefix(part, "{") }
func isGreedy(part string) bool   { return strings.HasSuffix(part, "+}") }

func joinPath(parent, part string) string {
	if parent == "/" {
		return "/" + part
	}
	return parent + "/" + part
}

// resourceSummary is a resource with its methods named but not embedded,
// as GetResource(s) answer without embed=methods.
type resourceSummary struct {
	ID              string              `json:"id"`
	ParentID        string              `json:"parentId,omitempty"`
	PathPart        string              `json:"pathPart,omitempty"`
	Path            string              `json:"path"`
	ResourceMethods map[string]struct{} `json:"resourceMethods,omitempty"`
}

// resourceView is a resource as Get answers it: methods summarised unless
// embed=methods asked for them in full.
func resourceView(r *model.Resource, embed bool) any {
	if embed {
		return r
	}
	v := &resourceSummary{ID: r.ID, ParentID: r.ParentID, PathPart: r.PathPart, Path: r.Path}
	if len(r.ResourceMethods) > 0 {
		v.ResourceMethods = make(map[string]struct{}, len(r.ResourceMethods))
		for k := range r.ResourceMethods {
			v.ResourceMethods[k] = struct{}{}
		}
	}
	return v
}

func wantsEmbed(r *http.Request) bool {
	for _, e := range r.URL.Query()["embed"] {
		for _, v := range strings.Split(e, ",") {
			if v == "methods" {
				return true
			}
		}
	}
	return false
}

func (s *Service) getResources(r *http.Request, p mgmt.Params) (int, any, error) {
	var rs []*model.Resource
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		rs, err = mgmt.ListJSON[model.Resource](tx, "resources/"+p["api"]+"/")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Path < rs[j].Path })
	page, err := mgmt.Paginate(r, rs, func(x *model.Resource) string { return x.Path })
	if err != nil {
		return 0, nil, err
	}
	embed := wantsEmbed(r)
	out := mgmt.Page[any]{Items: make([]any, len(page.Items)), Position: page.Position}
	for i, x := range page.Items {
		out.Items[i] = resourceView(x, embed)
	}
	return http.StatusOK, out, nil
}

func (s *Service) getResource(r *http.Request, p mgmt.Params) (int, any, error) {
	var res *model.Resource
	err := s.view(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		var err error
		res, err = loadResource(tx, p["api"], p["res"])
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, resourceView(res, wantsEmbed(r)), nil
}

// checkPlacement applies the sibling rules of integrations-v1.md §11.1 and
// control-plane.md §4 to a path part about to go under parent.
func checkPlacement(siblings []*model.Resource, parent *model.Resource, part, selfID string) error {
	if part == "" || !pathPartPattern.MatchString(part) {
		return awserr.BadRequest("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.")
	}
	if parent.PathPart != "" && isGreedy(parent.PathPart) {
		return awserr.BadRequest("Cannot create a child of a resource with a greedy path variable: %s", parent.PathPart)
	}
	for _, sib := range siblings {
		if sib.ParentID != parent.ID || sib.ID == selfID {
			continue
		}
		if sib.PathPart == part {
			return awserr.Conflict("Another resource with the same parent already has this name: %s", part)
		}
		if isVariable(part) && isVariable(sib.PathPart) {
			return awserr.BadRequest("A sibling (%s) of this resource already has a variable path part -- only one is allowed", sib.PathPart)
		}
	}
	return nil
}

func (s *Service) createResource(r *http.Request, p mgmt.Params) (int, any, error) {
	var in struct {
		PathPart *string `json:"pathPart"`
	}
	if err := mgmt.Decode(r, &in); err != nil {
		return 0, nil, err
	}
	if in.PathPart == nil {
		return 0, nil, awserr.Validation(awserr.Violation{Value: "null", Field: "createResourceInput.pathPart", Constraint: "Member must not be null"})
	}
	var res *model.Resource
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		parent, err := loadResource(tx, p["api"], p["res"])
		if err != nil {
			return err
		}
		all, err := mgmt.ListJSON[model.Resource](tx, "resources/"+p["api"]+"/")
		if err != nil {
			return err
		}
		if err := checkPlacement(all, parent, *in.PathPart, ""); err != nil {
			return err
		}
		res = &model.Resource{ID: model.NewID(10), ParentID: parent.ID, PathPart: *in.PathPart, Path: joinPath(parent.Path, *in.PathPart)}
		return mgmt.PutJSON(tx, resourceKey(p["api"], res.ID), res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, res, nil
}

func (s *Service) updateResource(r *http.Request, p mgmt.Params) (int, any, error) {
	ops, err := mgmt.DecodePatch(r, "updateResourceInput")
	if err != nil {
		return 0, nil, err
	}
	var res *model.Resource
	err = s.update(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		all, err := mgmt.ListJSON[model.Resource](tx, "resources/"+p["api"]+"/")
		if err != nil {
			return err
		}
		byID := map[string]*model.Resource{}
		for _, x := range all {
			byID[x.ID] = x
		}
		res = byID[p["res"]]
		if res == nil {
			return awserr.NotFound("Invalid Resource identifier specified")
		}
		for _, op := range ops {
			if op.Op != "replace" {
				return mgmt.InvalidOp("replace")
			}
			switch op.Path {
			case "/pathPart":
				if res.ParentID == "" {
					return awserr.BadRequest("Root resource cannot update its pathPart.")
				}
				if err := checkPlacement(all, byID[res.ParentID], op.Val(), res.ID); err != nil {
					return err
				}
				res.PathPart = op.Val()
			case "/parentId":
				if res.ParentID == "" {
					return awserr.BadRequest("Root resource cannot update its parentId.")
				}
				np := byID[op.Val()]
				if np == nil {
					return awserr.NotFound("Invalid Resource identifier specified")
				}
				for a := np; a != nil; a = byID[a.ParentID] {
					if a.ID == res.ID {
						return awserr.BadRequest("Resources cannot be cyclical.")
					}
				}
				if err := checkPlacement(all, np, res.PathPart, res.ID); err != nil {
					return err
				}
				res.ParentID = np.ID
			default:
				return mgmt.InvalidPath(op, "/pathPart", "/parentId")
			}
		}
		// Recompute the paths of res and its subtree.
		children := map[string][]*model.Resource{}
		for _, x := range all {
			children[x.ParentID] = append(children[x.ParentID], x)
		}
		var walk func(x *model.Resource) error
		walk = func(x *model.Resource) error {
			x.Path = joinPath(byID[x.ParentID].Path, x.PathPart)
			if err := mgmt.PutJSON(tx, resourceKey(p["api"], x.ID), x); err != nil {
				return err
			}
			for _, c := range children[x.ID] {
				if err := walk(c); err != nil {
					return err
				}
			}
			return nil
		}
		return walk(res)
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, resourceView(res, false), nil
}

func (s *Service) deleteResource(r *http.Request, p mgmt.Params) (int, any, error) {
	err := s.update(r, func(tx store.Tx) error {
		if _, err := s.loadAPI(tx, p["api"]); err != nil {
			return err
		}
		all, err := mgmt.ListJSON[model.Resource](tx, "resources/"+p["api"]+"/")
		if err != nil {
			return err
		}
		var target *model.Resource
		children := map[string][]*model.Resource{}
		for _, x := range all {
			if x.ID == p["res"] {
				target = x
			}
			children[x.ParentID] = append(children[x.ParentID], x)
		}
		if target == nil {
			return awserr.NotFound("Invalid Resource identifier specified")
		}
		if target.ParentID == "" {
			return awserr.BadRequest("Cannot delete the root resource of a RestApi")
		}
		// Deleting a resource deletes its whole subtree.
		stack := []*model.Resource{target}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if err := tx.Delete(resourceKey(p["api"], x.ID)); err != nil {
				return err
			}
			stack = append(stack, children[x.ID]...)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, nil, nil
}
