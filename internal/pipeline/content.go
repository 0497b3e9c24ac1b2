package pipeline

import (
	"encoding/base64"
	"errors"
	"unicode/utf8"

	"github.com/portico-dev/portico/internal/mapping"
)

// Content handling values (integrations-v1.md §10).
const (
	convertToBinary = "CONVERT_TO_BINARY"
	convertToText   = "CONVERT_TO_TEXT"
)

// binaryTypes is an API's binaryMediaTypes (exact types, "type/*" and
// "*/*" wildcards).
type binaryTypes []string

func compileBinaryTypes(ts []string) binaryTypes { return binaryTypes(ts) }

func (b binaryTypes) set() bool { return len(b) > 0 }

// match reports whether a Content-Type or Accept value's first media type
// is binary (§10: only the first Accept entry is honoured).
func (b binaryTypes) match(v string) bool { return mapping.MatchMediaType(b, v) }

var errNotBase64 = errors.New("payload is not valid base64 text for CONVERT_TO_BINARY")

// convertRequest applies Integration.contentHandling to the method
// request payload (integrations-v1.md §10.1): text → blob decodes base64,
// binary → text encodes it, unset passes through.
func convertRequest(body []byte, binary bool, handling string) ([]byte, error) {
	switch {
	case handling == convertToBinary && !binary:
		out, err := base64.StdEncoding.DecodeString(string(body))
		if err != nil {
			return nil, errNotBase64
		}
		return out, nil
	case handling == convertToText && binary:
		return []byte(base64.StdEncoding.EncodeToString(body)), nil
	}
	return body, nil
}

// responseForm is what §10.2 says the method response payload becomes.
type responseForm uint8

const (
	asIs         responseForm = iota // unchanged
	decodeBase64                     // base64-decoded blob
	encodeBase64                     // base64-encoded string
)

// responseConversion reads the table of integrations-v1.md §10.2.
// binaryData: the integration response Content-Type matches
// binaryMediaTypes; acceptBinary: the first Accept type does.
func responseConversion(typesSet, binaryData, acceptBinary bool, handling string) responseForm {
	if !typesSet {
		if handling == convertToBinary {
			return decodeBase64
		}
		return asIs
	}
	switch {
	case handling == convertToText:
		if binaryData {
			return encodeBase64
		}
		return asIs
	case handling == convertToBinary:
		if binaryData {
			return asIs
		}
		return decodeBase64
	case binaryData && !acceptBinary:
		return encodeBase64
	case !binaryData && acceptBinary:
		return decodeBase64
	}
	return asIs
}

// isText reports whether a payload can go through a template.
func isText(b []byte) bool { return utf8.Valid(b) }
