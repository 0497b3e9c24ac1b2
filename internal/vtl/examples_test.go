package vtl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// The worked examples of vtl.md §7, rendered with plain host objects that
// imitate $input, $util, $context and $stageVariables closely enough for
// the language parts (the real ones live in internal/mapping). Outputs
// are the spec's exact JSON strings.

type exampleCase struct {
	name, tpl, body, want      string
	path, query, header, stage *Map
	ctx                        string
}

func kv(pairs ...string) *Map {
	m := NewMap(len(pairs) / 2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m.Put(pairs[i], pairs[i+1])
	}
	return m
}

var specExamples = []exampleCase{
	{name: "Example 1: \"Pass all parameters\" template ($input.params() iteration)", tpl: "#set($allParams = $input.params())\n{\n  \"params\" : {\n    #foreach($type in $allParams.keySet())\n    #set($params = $allParams.get($type))\n    \"$type\" : {\n      #foreach($paramName in $params.keySet())\n      \"$paramName\" : \"$util.escapeJavaScript($params.get($paramName))\"\n      #if($foreach.hasNext),#end\n      #end\n    }\n    #if($foreach.hasNext),#end\n    #end\n  }\n}", body: "", want: "{\n  \"params\" : {\n        \"path\" : {\n            \"petId\" : \"7\"\n                }\n    ,        \"querystring\" : {\n            \"type\" : \"dog\"\n                }\n    ,        \"header\" : {\n            \"Accept\" : \"application\\/json\"\n                }\n          }\n}", path: kv("petId", "7"), query: kv("type", "dog"), header: kv("Accept", "application/json")},
	{name: "Example 2: Query parameter + whole body", tpl: "{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$') \n}", body: "{\"a\":1,\"b\":[true,null]}", want: "{\n    \"name\" : \"Bob\",\n    \"body\" : {\"a\":1,\"b\":[true,null]} \n}", query: kv("name", "Bob")},
	{name: "Example 3: $input.json with a sub-path", tpl: "{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$.mykey')  \n}", body: "{\"mykey\":{\"x\":\"y\"},\"other\":2}", want: "{\n    \"name\" : \"Bob\",\n    \"body\" : {\"x\":\"y\"}  \n}", query: kv("name", "Bob")},
	{name: "Example 4: The \"things\" example (params, path().size(), escapeJavaScript(json))", tpl: "{\n    \"id\" : \"$input.params('id')\",\n    \"count\" : \"$input.path('$.things').size()\",\n    \"things\" : $util.escapeJavaScript($input.json('$.things'))\n}", body: "{\n    \"things\" : {\n        \"1\" : {},\n        \"2\" : {},\n        \"3\" : {}\n    }\n}", want: "{\n    \"id\" : \"abc\",\n    \"count\" : \"3\",\n    \"things\" : {\\\"1\\\":{},\\\"2\\\":{},\\\"3\\\":{}}\n}", path: kv("id", "abc")},
	{name: "Example 5: Grocery store \"choices\" response template", tpl: "#set($inputRoot = $input.path('$'))\n{\n  \"choices\": [\n#foreach($elem in $inputRoot.bins)\n    {\n      \"kind\": \"$elem.type\",\n      \"suggestedPrice\": \"$elem.price per $elem.unit\",\n      \"available\": $elem.quantity\n    }#if($foreach.hasNext),#end\n            \n#end\n  ]\n}", body: "{\n  \"department\": \"produce\",\n  \"categories\": [\n    \"fruit\",\n    \"vegetables\"\n  ],\n  \"bins\": [\n    {\n      \"category\": \"fruit\",\n      \"type\": \"apples\",\n      \"price\": 1.99,\n      \"unit\": \"pound\",\n      \"quantity\": 232\n    },\n    {\n      \"category\": \"fruit\",\n      \"type\": \"bananas\",\n      \"price\": 0.19,\n      \"unit\": \"each\",\n      \"quantity\": 112\n    },\n    {\n      \"category\": \"vegetables\",\n      \"type\": \"carrots\",\n      \"price\": 1.29,\n      \"unit\": \"bag\",\n      \"quantity\": 57\n    }\n  ]\n}", want: "{\n  \"choices\": [\n    {\n      \"kind\": \"apples\",\n      \"suggestedPrice\": \"1.99 per pound\",\n      \"available\": 232\n    },            \n    {\n      \"kind\": \"bananas\",\n      \"suggestedPrice\": \"0.19 per each\",\n      \"available\": 112\n    },            \n    {\n      \"kind\": \"carrots\",\n      \"suggestedPrice\": \"1.29 per bag\",\n      \"available\": 57\n    }            \n  ]\n}"},
	{name: "Example 6: Photos example \u2014 output mapping template", tpl: "#set($inputRoot = $input.path('$'))\n{\n  \"photos\": [\n#foreach($elem in $inputRoot.photos.photo)\n    {\n      \"id\": \"$elem.id\",\n      \"owner\": \"$elem.owner\",\n      \"title\": \"$elem.title\",\n      \"ispublic\": $elem.ispublic,\n      \"isfriend\": $elem.isfriend,\n      \"isfamily\": $elem.isfamily\n    }#if($foreach.hasNext),#end\n\t\t\n#end\n  ]\n}", body: "{\n  \"photos\": {\n    \"page\": 1,\n    \"pages\": \"1234\",\n    \"perpage\": 100,\n    \"total\": \"123398\",\n    \"photo\": [\n      {\n        \"id\": \"12345678901\",\n        \"owner\": \"23456789@A12\",\n        \"secret\": \"abc123d456\",\n        \"server\": \"1234\",\n        \"farm\": 1,\n        \"title\": \"Sample photo 1\",\n        \"ispublic\": 1,\n        \"isfriend\": 0,\n        \"isfamily\": 0\n      },\n      {\n        \"id\": \"23456789012\",\n        \"owner\": \"34567890@B23\",\n        \"secret\": \"bcd234e567\",\n        \"server\": \"2345\",\n        \"farm\": 2,\n        \"title\": \"Sample photo 2\",\n        \"ispublic\": 1,\n        \"isfriend\": 0,\n        \"isfamily\": 0\n      }\n    ]\n  }\n}", want: "{\n  \"photos\": [\n    {\n      \"id\": \"12345678901\",\n      \"owner\": \"23456789@A12\",\n      \"title\": \"Sample photo 1\",\n      \"ispublic\": 1,\n      \"isfriend\": 0,\n      \"isfamily\": 0\n    },\t\t\n    {\n      \"id\": \"23456789012\",\n      \"owner\": \"34567890@B23\",\n      \"title\": \"Sample photo 2\",\n      \"ispublic\": 1,\n      \"isfriend\": 0,\n      \"isfamily\": 0\n    }\t\t\n  ]\n}"},
	{name: "Example 7: Photos example \u2014 input mapping template", tpl: "#set($inputRoot = $input.path('$'))\n{\n  \"photos\": {\n    \"page\": $inputRoot.photos.page,\n    \"pages\": \"$inputRoot.photos.pages\",\n    \"perpage\": $inputRoot.photos.perpage,\n    \"total\": \"$inputRoot.photos.total\",\n    \"photo\": [\n#foreach($elem in $inputRoot.photos.photo)\n      {\n        \"id\": \"$elem.id\",\n        \"owner\": \"$elem.owner\",\n        \"secret\": \"$elem.secret\",\n        \"server\": \"$elem.server\",\n        \"farm\": $elem.farm,\n        \"title\": \"$elem.title\",\n        \"ispublic\": $elem.ispublic,\n        \"isfriend\": $elem.isfriend,\n        \"isfamily\": $elem.isfamily\n      }#if($foreach.hasNext),#end\n\t\t\t\n#end\n    ]\n  }\n}", body: "{\n  \"photos\": {\n    \"page\": 1,\n    \"pages\": \"1234\",\n    \"perpage\": 100,\n    \"total\": \"123398\",\n    \"photo\": [\n      {\n        \"id\": \"12345678901\",\n        \"owner\": \"23456789@A12\",\n        \"secret\": \"abc123d456\",\n        \"server\": \"1234\",\n        \"farm\": 1,\n        \"title\": \"Sample photo 1\",\n        \"ispublic\": 1,\n        \"isfriend\": 0,\n        \"isfamily\": 0\n      },\n      {\n        \"id\": \"23456789012\",\n        \"owner\": \"34567890@B23\",\n        \"secret\": \"bcd234e567\",\n        \"server\": \"2345\",\n        \"farm\": 2,\n        \"title\": \"Sample photo 2\",\n        \"ispublic\": 1,\n        \"isfriend\": 0,\n        \"isfamily\": 0\n      }\n    ]\n  }\n}", want: "{\n  \"photos\": {\n    \"page\": 1,\n    \"pages\": \"1234\",\n    \"perpage\": 100,\n    \"total\": \"123398\",\n    \"photo\": [\n      {\n        \"id\": \"12345678901\",\n        \"owner\": \"23456789@A12\",\n        \"secret\": \"abc123d456\",\n        \"server\": \"1234\",\n        \"farm\": 1,\n        \"title\": \"Sample photo 1\",\n        \"ispublic\": 1,\n        \"isfriend\": 0,\n        \"isfamily\": 0\n      },\t\t\t\n      {\n        \"id\": \"23456789012\",\n        \"owner\": \"34567890@B23\",\n        \"secret\": \"bcd234e567\",\n        \"server\": \"2345\",\n        \"farm\": 2,\n        \"title\": \"Sample photo 2\",\n        \"ispublic\": 1,\n        \"isfriend\": 0,\n        \"isfamily\": 0\n      }\t\t\t\n    ]\n  }\n}"},
	{name: "Example 8: MOCK request template", tpl: "{\"statusCode\": 200}", body: "", want: "{\"statusCode\": 200}"},
	{name: "Example 9: MOCK conditional template (scope=internal)", tpl: "{\n  #if( $input.params('scope') == \"internal\" )\n    \"statusCode\": 200\n  #else\n    \"statusCode\": 500\n  #end\n}", body: "", want: "{\n      \"statusCode\": 200\n  }", query: kv("scope", "internal")},
	{name: "Example 10: MOCK conditional template (scope=public)", tpl: "{\n  #if( $input.params('scope') == \"internal\" )\n    \"statusCode\": 200\n  #else\n    \"statusCode\": 500\n  #end\n}", body: "", want: "{\n      \"statusCode\": 500\n  }", query: kv("scope", "public")},
	{name: "Example 11: Lambda custom integration request template", tpl: "{\"greeter\":\"$input.params('greeter')\"}", body: "", want: "{\"greeter\":\"jane\"}", query: kv("greeter", "jane")},
	{name: "Example 12: Same template, parameter absent", tpl: "{\"greeter\":\"$input.params('greeter')\"}", body: "", want: "{\"greeter\":\"\"}"},
	{name: "Example 13: $util.escapeJavaScript edge cases", tpl: "{\"comment\": \"$util.escapeJavaScript($input.path('$.comment'))\"}", body: "{\"comment\":\"It's \\\"quoted\\\"\\nnext line / \u00e9\"}", want: "{\"comment\": \"It\\'s \\\"quoted\\\"\\nnext line \\/ \\u00E9\"}"},
	{name: "Example 14: escapeJavaScript + replaceAll to undo `\\'`", tpl: "{\"comment\": \"$util.escapeJavaScript($input.path('$.comment')).replaceAll(\"\\\\'\",\"'\")\"}", body: "{\"comment\":\"It's \\\"quoted\\\"\"}", want: "{\"comment\": \"It's \\\"quoted\\\"\"}"},
	{name: "Example 15: $util.parseJson", tpl: "#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))\n{\n   \"errorMessageObjKey2ArrVal\" : $errorMessageObj.key2.arr[0]\n}", body: "{\"errorMessage\":\"{\\\"key1\\\":\\\"var1\\\",\\\"key2\\\":{\\\"arr\\\":[1,2,3]}}\"}", want: "{\n   \"errorMessageObjKey2ArrVal\" : 1\n}"},
	{name: "Example 16: $context variables template", tpl: "{\n    \"stage\" : \"$context.stage\",\n    \"request_id\" : \"$context.requestId\",\n    \"api_id\" : \"$context.apiId\",\n    \"resource_path\" : \"$context.resourcePath\",\n    \"resource_id\" : \"$context.resourceId\",\n    \"http_method\" : \"$context.httpMethod\",\n    \"source_ip\" : \"$context.identity.sourceIp\",\n    \"user-agent\" : \"$context.identity.userAgent\",\n    \"account_id\" : \"$context.identity.accountId\",\n    \"api_key\" : \"$context.identity.apiKey\",\n    \"caller\" : \"$context.identity.caller\",\n    \"user\" : \"$context.identity.user\",\n    \"user_arn\" : \"$context.identity.userArn\"\n}", body: "", want: "{\n    \"stage\" : \"prod\",\n    \"request_id\" : \"c6af9ac6-7b61-11e6-9a41-93e8deadbeef\",\n    \"api_id\" : \"a1b2c3d4e5\",\n    \"resource_path\" : \"/pets/{petId}\",\n    \"resource_id\" : \"x1y2z3\",\n    \"http_method\" : \"GET\",\n    \"source_ip\" : \"192.0.2.1\",\n    \"user-agent\" : \"curl/8.0\",\n    \"account_id\" : \"\",\n    \"api_key\" : \"k3y\",\n    \"caller\" : \"\",\n    \"user\" : \"\",\n    \"user_arn\" : \"\"\n}", ctx: `{"stage":"prod","requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","apiId":"a1b2c3d4e5","resourcePath":"/pets/{petId}","resourceId":"x1y2z3","httpMethod":"GET","identity":{"sourceIp":"192.0.2.1","userAgent":"curl/8.0","apiKey":"k3y"}}`},
	{name: "Example 17: Stage variables", tpl: "{\"url\": \"https://$stageVariables.backendHost/v1\", \"alt\": \"${stageVariables['backendHost']}\", \"missing\": \"$stageVariables.nope\"}", body: "", want: "{\"url\": \"https://example.com/v1\", \"alt\": \"example.com\", \"missing\": \"\"}", stage: kv("backendHost", "example.com")},
	{name: "Example 21: Hyphenated property names", tpl: "#set($elem = $util.parseJson('{\"data\":\"x\",\"partition-key\":\"pk1\"}'))\"PartitionKey\": \"$elem.partition-key\" / \"$elem.get('partition-key')\"", body: "", want: "\"PartitionKey\": \"pk1\" / \"pk1\""},
	{name: "Example 22: $input.path list size vs. count(), $input.path scalar, $input.json object", tpl: "$input.path('$.pets').size()|$input.path('$.pets').count()|$input.path('$.pets[0].type')|$input.json('$.pets[0]')", body: "{\"pets\":[{\"id\":1,\"type\":\"dog\",\"price\":249.99},{\"id\":2,\"type\":\"cat\",\"price\":124.99},{\"id\":3,\"type\":\"fish\",\"price\":0.99}]}", want: "3||dog|{\"id\":1,\"type\":\"dog\",\"price\":249.99}"},
	{name: "Example 23: Response status override", tpl: "#set($inputRoot = $input.path('$'))\n$input.json(\"$\")\n#if($inputRoot.toString().contains(\"error\"))\n#set($context.responseOverride.status = 400)\n#end", body: "{\"errors\":[{\"key\":\"GetPetRequest.petId\",\"message\":\"The value is out of range.\"}]}", want: "{\"errors\":[{\"key\":\"GetPetRequest.petId\",\"message\":\"The value is out of range.\"}]}\n"},
	{name: "Example 24: Request header override", tpl: "#set($header1Override = \"foo\")\n#set($header3Value = \"$input.params('header1')$input.params('header2')\")\n$input.json(\"$\")\n#set($context.requestOverride.header.header3 = $header3Value)\n#set($context.requestOverride.header.header1 = $header1Override)\n#set($context.requestOverride.header.multivalueheader=[$header1Override, $header3Value])", body: "{}", want: "{}\n", header: kv("header1", "header1Val", "header2", "header2Val")},
	{name: "Example 25: Lambda custom error body mapping", tpl: "{\n    \"errorMessage\" : $input.path('$.errorMessage')\n}", body: "{\"errorMessage\":\"{\\\"errorType\\\":\\\"InternalServerError\\\",\\\"httpStatus\\\":500}\"}", want: "{\n    \"errorMessage\" : {\"errorType\":\"InternalServerError\",\"httpStatus\":500}\n}"},
	{name: "Example 26: Binary payload converted to text (CONVERT_TO_TEXT)", tpl: "{\n    \"data\": \"$input.body\"\n}", body: "iVBORw0KGgo=", want: "{\n    \"data\": \"iVBORw0KGgo=\"\n}"},
	{name: "Example 27: Iterating the header map", tpl: "#foreach($h in $input.params().header.keySet())$h=$input.params().header.get($h)#if($foreach.hasNext)&#end#end", body: "", want: "Accept=*/*&X-Id=42", header: kv("Accept", "*/*", "X-Id", "42")},
	{name: "Example 28: Missing values", tpl: "{\"a\": \"$input.path('$.nope')\", \"b\": \"$!input.path('$.nope')\", \"c\": $input.json('$.nope'), \"d\": \"$context.nope\"}", body: "{\"x\":1}", want: "{\"a\": \"\", \"b\": \"\", \"c\": null, \"d\": \"\"}"},
	{name: "Example 29: Printing whole objects", tpl: "$input.path('$')|$input.params()|$input.path('$.b')", body: "{\"a\":1,\"b\":[{\"c\":5}]}", want: "{a=1, b=[{c=5}]}|{path={id=1}, querystring={q=x}, header={H=v}}|[{c=5}]", path: kv("id", "1"), query: kv("q", "x"), header: kv("H", "v")},
	{name: "Example 30: Embedding a JSON body as a string", tpl: "{\"raw\": \"$util.escapeJavaScript($input.json('$'))\"}", body: "{\"msg\":\"He said \\\"hi\\\"\",\"path\":\"a/b\"}", want: "{\"raw\": \"{\\\"msg\\\":\\\"He said \\\\\\\"hi\\\\\\\"\\\",\\\"path\\\":\\\"a\\/b\\\"}\"}"},
	{name: "Example 31: Directive whitespace rules", tpl: "#set($a = 1)\n  #set($b = 2)\nA=$a\n  #if($a == 1)\n  B=$b\n  #end\nEND", body: "", want: "A=1\n    B=2\n  END"}}

type fakeInput struct {
	body    string
	root    any
	ok      bool
	params  *Map
	p, q, h *Map
}

func (in *fakeInput) Property(name string) (any, bool) {
	if name == "body" {
		return in.body, true
	}
	return nil, false
}

func (in *fakeInput) Call(name string, args []any) (any, error) {
	switch name {
	case "path", "json":
		if len(args) != 1 {
			return nil, ErrNoMethod
		}
		p, _ := args[0].(string)
		v := in.path(p)
		if name == "path" {
			return v, nil
		}
		return string(appendJSON(nil, v)), nil
	case "params":
		if len(args) == 0 {
			return in.params, nil
		}
		n, _ := args[0].(string)
		for _, m := range []*Map{in.p, in.q, in.h} {
			if v, ok := m.Get(n); ok {
				return v, nil
			}
		}
		return "", nil
	}
	return nil, ErrNoMethod
}

// path evaluates "$", "$.a.b", "$.a[0].b".
func (in *fakeInput) path(p string) any {
	if !in.ok || !strings.HasPrefix(p, "$") {
		return nil
	}
	cur := in.root
	rest := p[1:]
	for rest != "" && cur != nil {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			i := strings.IndexAny(rest, ".[")
			if i < 0 {
				i = len(rest)
			}
			m, _ := cur.(*Map)
			cur, _ = m.Get(rest[:i])
			rest = rest[i:]
		case '[':
			e := strings.IndexByte(rest, ']')
			n, _ := strconv.Atoi(rest[1:e])
			l, ok := cur.(*List)
			if !ok || n >= len(l.Items) {
				return nil
			}
			cur = l.Items[n]
			rest = rest[e+1:]
		default:
			return nil
		}
	}
	return cur
}

func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		q, _ := json.Marshal(x)
		return append(b, q...)
	case *Map:
		b = append(b, '{')
		for i, k := range x.Keys() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, k)
			b = append(b, ':')
			e, _ := x.Get(k)
			b = appendJSON(b, e)
		}
		return append(b, '}')
	case *List:
		b = append(b, '[')
		for i, e := range x.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case float64:
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	}
	return fmt.Append(b, v)
}

type fakeUtil struct{ t testing.TB }

func (u fakeUtil) Property(string) (any, bool) { return nil, false }

func (u fakeUtil) Call(name string, args []any) (any, error) {
	if len(args) != 1 {
		return nil, ErrNoMethod
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, nil
	}
	switch name {
	case "escapeJavaScript":
		var b strings.Builder
		for _, u := range utf16.Encode([]rune(s)) {
			switch c := rune(u); {
			case c == '\\' || c == '"' || c == '\'' || c == '/':
				b.WriteByte('\\')
				b.WriteRune(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\t':
				b.WriteString(`\t`)
			case c == '\r':
				b.WriteString(`\r`)
			case c < 0x20 || c >= 0x7f:
				fmt.Fprintf(&b, `\u%04X`, c)
			default:
				b.WriteRune(c)
			}
		}
		return b.String(), nil
	case "parseJson":
		return fromJSON(u.t, s), nil
	}
	return nil, ErrNoMethod
}

func exampleScope(t testing.TB, c exampleCase) MapScope {
	orEmpty := func(m *Map) *Map {
		if m == nil {
			return NewMap(0)
		}
		return m
	}
	in := &fakeInput{body: c.body, p: orEmpty(c.path), q: orEmpty(c.query), h: orEmpty(c.header)}
	in.params = kv()
	in.params.Put("path", in.p)
	in.params.Put("querystring", in.q)
	in.params.Put("header", in.h)
	if json.Valid([]byte(c.body)) {
		in.root, in.ok = fromJSON(t, c.body), true
	}
	ctx := NewMap(4)
	if c.ctx != "" {
		ctx = fromJSON(t, c.ctx).(*Map)
	}
	ctx.Put("responseOverride", kv())
	ro := kv()
	ro.Put("header", kv())
	ctx.Put("requestOverride", ro)
	return MapScope{"input": in, "util": fakeUtil{t}, "context": ctx, "stageVariables": orEmpty(c.stage)}
}

func TestSpecExamples(t *testing.T) {
	t.Parallel()
	for _, c := range specExamples {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := Parse(c.tpl)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.RenderString(exampleScope(t, c), Options{NullAsEmpty: true})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("output differs\n got: %q\nwant: %q", got, c.want)
			}
		})
	}
}
