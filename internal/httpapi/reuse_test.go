package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/portico-dev/portico/internal/porticotest"
)

// TestConcurrentAnswersKeepTheirOwnHeaders: exchanges and the storage
// they lend the upstream client are reused from request to request, so
// each answer must carry exactly its own backend's header and body,
// whichever request ran beside it (integrations-v2.md §2.2: the backend
// response is returned as-is). 204 answers, which have no body and are
// written only when the handler returns, are included. Run with -race.
func TestConcurrentAnswersKeepTheirOwnHeaders(t *testing.T) {
	t.Parallel()
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("n")
		w.Header().Set("X-Echo", n)
		w.Header().Add("X-Echo-Twice", "a"+n)
		w.Header().Add("X-Echo-Twice", "b"+n)
		if r.URL.Query().Get("empty") != "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		fmt.Fprintf(w, "body %s", n)
	}))
	t.Cleanup(be.Close)
	f := start(t, porticotest.Options{})
	api := f.api(nil)
	f.route(api, "GET /echo", f.proxy(api, be.URL+"/echo"))
	f.stage(api, "$default", true, nil)

	const workers, each = 8, 60
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			for i := range each {
				n := fmt.Sprintf("%d-%d", g, i)
				url := f.srv.URL + "/_aws/execute-api/" + api + "/echo?n=" + n
				empty := i%3 == 0
				if empty {
					url += "&empty=1"
				}
				resp, err := client.Get(url)
				if err != nil {
					errs <- err
					return
				}
				body := porticotest.ReadBody(t, resp)
				twice := resp.Header.Values("X-Echo-Twice")
				switch {
				case resp.Header.Get("X-Echo") != n || len(twice) != 2 || twice[0] != "a"+n || twice[1] != "b"+n:
					errs <- fmt.Errorf("request %s got header %v", n, resp.Header)
				case empty && (resp.StatusCode != http.StatusNoContent || body != ""):
					errs <- fmt.Errorf("request %s: %d %q, want 204 without body", n, resp.StatusCode, body)
				case !empty && (resp.StatusCode != http.StatusOK || body != "body "+n):
					errs <- fmt.Errorf("request %s: %d %q", n, resp.StatusCode, body)
				default:
					continue
				}
				return
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
