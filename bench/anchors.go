package main

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
)

// backendBody is the floor backend's answer: 41 bytes of JSON, as the
// bench peers' anchor backend.
var backendBody = []byte(`{"message":"hello from the backend 0001"}`)

// runAnchor serves one of the floor contestants in this process:
//
//	bench backend ADDR           a minimal net/http server
//	bench proxy ADDR TARGETURL   a bare httputil.ReverseProxy
//
// The harness starts them as separate processes (itself re-executed), so
// each contestant has a process of its own like Portico and nginx.
func runAnchor(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench backend ADDR | bench proxy ADDR TARGETURL")
		return 2
	}
	var h http.Handler
	switch args[0] {
	case "backend":
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(backendBody)
		})
	case "proxy":
		if len(args) < 3 {
			fmt.Fprintln(os.Stderr, "usage: bench proxy ADDR TARGETURL")
			return 2
		}
		u, err := url.Parse(args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.Transport = &http.Transport{MaxIdleConnsPerHost: 256}
		h = rp
	default:
		fmt.Fprintf(os.Stderr, "unknown anchor %q\n", args[0])
		return 2
	}
	if err := http.ListenAndServe(args[1], h); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
