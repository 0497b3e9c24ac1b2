package vtl

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// mid identifies a Java method or bean property name, resolved at parse time.
type mid uint8

const (
	mUnknown mid = iota
	mLength
	mSubstring
	mIndexOf
	mLastIndexOf
	mContains
	mStartsWith
	mEndsWith
	mReplace
	mReplaceAll
	mReplaceFirst
	mMatches
	mSplit
	mToLowerCase
	mToUpperCase
	mTrim
	mEquals
	mEqualsIgnoreCase
	mIsEmpty
	mCharAt
	mConcat
	mToString
	mCompareTo
	mSize
	mGet
	mAdd
	mRemove
	mSubList
	mSet
	mClear
	mAddAll
	mPut
	mPutAll
	mContainsKey
	mContainsValue
	mKeySet
	mValues
	mEntrySet
	mGetKey
	mGetValue
	mIntValue
	mLongValue
	mDoubleValue
	mBooleanValue
	mGetIndex
	mGetCount
	mHasNext
	mIsFirst
	mIsLast
	mGetParent
	mGetTopmost
	// Property names.
	pEmpty
	pKey
	pValue
	pIndex
	pCount
	pHasNext
	pFirst
	pLast
	pParent
	pTopmost
)

func methodID(name string) mid {
	switch name {
	case "length":
		return mLength
	case "substring":
		return mSubstring
	case "indexOf":
		return mIndexOf
	case "lastIndexOf":
		return mLastIndexOf
	case "contains":
		return mContains
	case "startsWith":
		return mStartsWith
	case "endsWith":
		return mEndsWith
	case "replace":
		return mReplace
	case "replaceAll":
		return mReplaceAll
	case "replaceFirst":
		return mReplaceFirst
	case "matches":
		return mMatches
	case "split":
		return mSplit
	case "toLowerCase":
		return mToLowerCase
	case "toUpperCase":
		return mToUpperCase
	case "trim":
		return mTrim
	case "equals":
		return mEquals
	case "equalsIgnoreCase":
		return mEqualsIgnoreCase
	case "isEmpty":
		return mIsEmpty
	case "charAt":
		return mCharAt
	case "concat":
		return mConcat
	case "toString":
		return mToString
	case "compareTo":
		return mCompareTo
	case "size":
		return mSize
	case "get":
		return mGet
	case "add":
		return mAdd
	case "remove":
		return mRemove
	case "subList":
		return mSubList
	case "set":
		return mSet
	case "clear":
		return mClear
	case "addAll":
		return mAddAll
	case "put":
		return mPut
	case "putAll":
		return mPutAll
	case "containsKey":
		return mContainsKey
	case "containsValue":
		return mContainsValue
	case "keySet":
		return mKeySet
	case "values":
		return mValues
	case "entrySet":
		return mEntrySet
	case "getKey":
		return mGetKey
	case "getValue":
		return mGetValue
	case "intValue":
		return mIntValue
	case "longValue":
		return mLongValue
	case "doubleValue":
		return mDoubleValue
	case "booleanValue":
		return mBooleanValue
	case "getIndex":
		return mGetIndex
	case "getCount":
		return mGetCount
	case "hasNext", "getHasNext":
		return mHasNext
	case "isFirst", "getFirst":
		return mIsFirst
	case "isLast", "getLast":
		return mIsLast
	case "getParent":
		return mGetParent
	case "getTopmost":
		return mGetTopmost
	case "empty":
		return pEmpty
	case "key":
		return pKey
	case "value":
		return pValue
	case "index":
		return pIndex
	case "count":
		return pCount
	case "first":
		return pFirst
	case "last":
		return pLast
	case "parent":
		return pParent
	case "topmost":
		return pTopmost
	}
	return mUnknown
}

// property resolves $v.name the way Velocity's introspection does: map
// key, JavaBean getter, then isX() for booleans.
func (r *renderer) property(v any, p *refPart) (any, error) {
	// Concrete types first: they are told apart by one comparison each,
	// while matching an interface looks up the method table.
	switch o := v.(type) {
	case *Map:
		x, _ := o.Get(p.name)
		return x, nil
	case *loop:
		switch p.id {
		case pIndex:
			return int64(o.index), nil
		case pCount:
			return int64(o.index + 1), nil
		case mHasNext:
			return o.hasNext, nil
		case pFirst:
			return o.index == 0, nil
		case pLast:
			return !o.hasNext, nil
		case pParent:
			if o.parent == nil {
				return nil, nil
			}
			return o.parent, nil
		case pTopmost:
			for o.parent != nil {
				o = o.parent
			}
			return o, nil
		}
	case Entry:
		switch p.id {
		case pKey:
			return o.Key, nil
		case pValue:
			return o.Value, nil
		}
	case *List:
		if p.id == pEmpty {
			return len(o.Items) == 0, nil
		}
	case string:
		if p.id == pEmpty {
			return o == "", nil
		}
	case Object:
		x, _ := o.Property(p.name)
		return x, nil
	}
	return nil, nil
}

func argInt(a any) (int, bool) {
	i, ok := a.(int64)
	if !ok || i < math.MinInt32 || i > math.MaxInt32 {
		return 0, false
	}
	return int(i), true
}

func indexError(kind string, args ...int) error {
	var b strings.Builder
	b.WriteString(kind)
	for i, a := range args {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(a))
	}
	return throw(b.String())
}

// call invokes $v.name(args). A method that does not exist for these
// arguments yields null; a Java exception becomes an error.
func (r *renderer) call(v any, p *refPart, args []any) (any, error) {
	switch o := v.(type) {
	case string:
		return r.stringMethod(o, p, args)
	case *List:
		return listMethod(o, p.id, args)
	case *Map:
		return mapMethod(o, p.id, args)
	case Entry:
		switch p.id {
		case mGetKey:
			return o.Key, nil
		case mGetValue:
			return o.Value, nil
		case mToString:
			return toString(o), nil
		}
	case *loop:
		if len(args) != 0 {
			return nil, nil
		}
		switch p.id {
		case mGetIndex:
			return int64(o.index), nil
		case mGetCount:
			return int64(o.index + 1), nil
		case mHasNext:
			return o.hasNext, nil
		case mIsFirst:
			return o.index == 0, nil
		case mIsLast:
			return !o.hasNext, nil
		case mGetParent:
			if o.parent == nil {
				return nil, nil
			}
			return o.parent, nil
		}
	case int64, float64, *big.Int:
		return numberMethod(o, p.id, args)
	case bool:
		switch {
		case p.id == mToString && len(args) == 0:
			return strconv.FormatBool(o), nil
		case p.id == mBooleanValue && len(args) == 0:
			return o, nil
		case p.id == mEquals && len(args) == 1:
			b, ok := args[0].(bool)
			return ok && b == o, nil
		}
	case Object: // after the concrete types, which are cheaper to match
		x, err := o.Call(p.name, args)
		if err != nil && errors.Is(err, ErrNoMethod) {
			return nil, nil
		}
		return x, err
	}
	return nil, nil
}

func numberMethod(v any, id mid, args []any) (any, error) {
	switch id {
	case mToString:
		if len(args) == 0 {
			return toString(v), nil
		}
	case mIntValue, mLongValue:
		if len(args) != 0 {
			return nil, nil
		}
		switch x := v.(type) {
		case int64:
			if id == mIntValue {
				return int64(int32(x)), nil
			}
			return x, nil
		case float64:
			if id == mIntValue {
				return int64(javaF2I(x, math.MinInt32, math.MaxInt32)), nil
			}
			return javaF2I(x, math.MinInt64, math.MaxInt64), nil
		case *big.Int:
			if id == mIntValue {
				return int64(int32(x.Int64())), nil
			}
			return x.Int64(), nil
		}
	case mDoubleValue:
		if len(args) == 0 {
			f, _ := toFloat(v)
			return f, nil
		}
	case mEquals:
		if len(args) == 1 {
			switch v.(type) {
			case int64:
				y, ok := args[0].(int64)
				return ok && y == v.(int64), nil
			case float64:
				y, ok := args[0].(float64)
				return ok && y == v.(float64), nil
			}
			return javaEq(v, args[0]), nil
		}
	case mCompareTo:
		if len(args) == 1 {
			if c, ok := numCompare(v, args[0]); ok {
				return int64(c), nil
			}
		}
	}
	return nil, nil
}

func javaF2I(f float64, lo, hi int64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f <= float64(lo):
		return lo
	case f >= float64(hi):
		return hi
	}
	return int64(f)
}

// Strings are indexed in UTF-16 code units, as Java does. ASCII strings
// (the common case) take a fast path on bytes.

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func u16(s string) []uint16 { return utf16.Encode([]rune(s)) }
func fromU16(u []uint16) string {
	return string(utf16.Decode(u))
}

func jlen(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return len(u16(s))
}

// jsub returns s[b:e] in UTF-16 units (bounds already checked).
func jsub(s string, b, e int) string {
	if isASCII(s) {
		return s[b:e]
	}
	return fromU16(u16(s)[b:e])
}

// jindex returns the UTF-16 index of sub in s at or after from.
func jindex(s, sub string, from int) int {
	if from < 0 {
		from = 0
	}
	if isASCII(s) && isASCII(sub) {
		if from > len(s) {
			return -1
		}
		i := strings.Index(s[from:], sub)
		if i < 0 {
			return -1
		}
		return i + from
	}
	a, b := u16(s), u16(sub)
	for i := from; i+len(b) <= len(a); i++ {
		if u16eq(a[i:i+len(b)], b) {
			return i
		}
	}
	return -1
}

func jlastIndex(s, sub string, from int) int {
	a, b := u16(s), u16(sub)
	if from > len(a)-len(b) {
		from = len(a) - len(b)
	}
	for i := from; i >= 0; i-- {
		if u16eq(a[i:i+len(b)], b) {
			return i
		}
	}
	return -1
}

func u16eq(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func javaTrim(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}

func (r *renderer) stringMethod(s string, p *refPart, args []any) (any, error) {
	n := len(args)
	str := func(i int) (string, bool) {
		x, ok := args[i].(string)
		return x, ok
	}
	switch p.id {
	case mLength:
		if n == 0 {
			return int64(jlen(s)), nil
		}
	case mToString:
		if n == 0 {
			return s, nil
		}
	case mIsEmpty:
		if n == 0 {
			return s == "", nil
		}
	case mTrim:
		if n == 0 {
			return javaTrim(s), nil
		}
	case mToLowerCase:
		if n == 0 {
			return strings.ToLower(s), nil
		}
	case mToUpperCase:
		if n == 0 {
			return strings.ToUpper(s), nil
		}
	case mSubstring:
		if n < 1 || n > 2 {
			return nil, nil
		}
		b, ok := argInt(args[0])
		if !ok {
			return nil, nil
		}
		l := jlen(s)
		e := l
		if n == 2 {
			if e, ok = argInt(args[1]); !ok {
				return nil, nil
			}
		}
		if b < 0 || e > l || b > e {
			return nil, indexError("StringIndexOutOfBoundsException: begin "+strconv.Itoa(b)+", end "+strconv.Itoa(e)+", length", l)
		}
		return jsub(s, b, e), nil
	case mCharAt:
		if n != 1 {
			return nil, nil
		}
		i, ok := argInt(args[0])
		if !ok {
			return nil, nil
		}
		if i < 0 || i >= jlen(s) {
			return nil, indexError("StringIndexOutOfBoundsException: index "+strconv.Itoa(i)+", length", jlen(s))
		}
		return jsub(s, i, i+1), nil
	case mIndexOf, mLastIndexOf:
		if n < 1 || n > 2 {
			return nil, nil
		}
		sub, ok := str(0)
		if !ok {
			return nil, nil
		}
		from := 0
		if p.id == mLastIndexOf {
			from = jlen(s)
		}
		if n == 2 {
			if from, ok = argInt(args[1]); !ok {
				return nil, nil
			}
		}
		if p.id == mIndexOf {
			return int64(jindex(s, sub, from)), nil
		}
		return int64(jlastIndex(s, sub, from)), nil
	case mContains:
		if sub, ok := oneStr(args); ok {
			return strings.Contains(s, sub), nil
		}
	case mStartsWith:
		if n == 2 {
			pre, ok := str(0)
			off, ok2 := argInt(args[1])
			if !ok || !ok2 {
				return nil, nil
			}
			if off < 0 || off > jlen(s) {
				return false, nil
			}
			return strings.HasPrefix(jsub(s, off, jlen(s)), pre), nil
		}
		if pre, ok := oneStr(args); ok {
			return strings.HasPrefix(s, pre), nil
		}
	case mEndsWith:
		if suf, ok := oneStr(args); ok {
			return strings.HasSuffix(s, suf), nil
		}
	case mEquals:
		if n == 1 {
			y, ok := args[0].(string)
			return ok && y == s, nil
		}
	case mEqualsIgnoreCase:
		if n == 1 {
			y, ok := args[0].(string)
			return ok && strings.EqualFold(y, s), nil
		}
	case mCompareTo:
		if y, ok := oneStr(args); ok {
			return int64(javaCompare(s, y)), nil
		}
	case mConcat:
		if y, ok := oneStr(args); ok {
			return s + y, nil
		}
	case mReplace:
		if n == 2 {
			a, ok1 := str(0)
			b, ok2 := str(1)
			if ok1 && ok2 {
				return strings.ReplaceAll(s, a, b), nil
			}
		}
	case mReplaceAll, mReplaceFirst:
		if n != 2 {
			return nil, nil
		}
		pat, ok1 := str(0)
		repl, ok2 := str(1)
		if !ok1 || !ok2 {
			return nil, nil
		}
		re, err := r.regex(p, pat)
		if err != nil {
			return nil, err
		}
		return re.replace(s, repl, p.id == mReplaceAll)
	case mMatches:
		pat, ok := oneStr(args)
		if !ok {
			return nil, nil
		}
		re, err := r.regex(p, pat)
		if err != nil {
			return nil, err
		}
		return re.matches(s), nil
	case mSplit:
		if n < 1 || n > 2 {
			return nil, nil
		}
		pat, ok := str(0)
		if !ok {
			return nil, nil
		}
		limit := 0
		if n == 2 {
			if limit, ok = argInt(args[1]); !ok {
				return nil, nil
			}
		}
		re, err := r.regex(p, pat)
		if err != nil {
			return nil, err
		}
		return re.split(s, limit)
	}
	return nil, nil
}

func oneStr(args []any) (string, bool) {
	if len(args) != 1 {
		return "", false
	}
	s, ok := args[0].(string)
	return s, ok
}

func javaCompare(a, b string) int {
	x, y := u16(a), u16(b)
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			return int(x[i]) - int(y[i])
		}
	}
	return len(x) - len(y)
}

// javaEquals is Object.equals for the value model.
func javaEquals(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case *List:
		y, ok := b.(*List)
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !javaEquals(x.Items[i], y.Items[i]) {
				return false
			}
		}
		return true
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			yv, ok := y.Get(k)
			if !ok || !javaEquals(x.vs[i], yv) {
				return false
			}
		}
		return true
	case Entry:
		y, ok := b.(Entry)
		return ok && x.Key == y.Key && javaEquals(x.Value, y.Value)
	}
	return a == b
}

func listMethod(l *List, id mid, args []any) (any, error) {
	n := len(args)
	if l.ro {
		switch id {
		case mAdd, mAddAll, mSet, mClear, mRemove:
			return nil, throw("UnsupportedOperationException")
		}
	}
	switch id {
	case mSize:
		if n == 0 {
			return int64(len(l.Items)), nil
		}
	case mIsEmpty:
		if n == 0 {
			return len(l.Items) == 0, nil
		}
	case mToString:
		if n == 0 {
			return toString(l), nil
		}
	case mGet:
		if n == 1 {
			i, ok := argInt(args[0])
			if !ok {
				return nil, nil
			}
			if i < 0 || i >= len(l.Items) {
				return nil, indexError("IndexOutOfBoundsException: Index "+strconv.Itoa(i)+" out of bounds for length", len(l.Items))
			}
			return l.Items[i], nil
		}
	case mContains:
		if n == 1 {
			return listIndex(l, args[0]) >= 0, nil
		}
	case mIndexOf:
		if n == 1 {
			return int64(listIndex(l, args[0])), nil
		}
	case mAdd:
		if len(l.Items) >= maxCollection {
			return nil, ErrOutputLimit
		}
		if n == 1 {
			l.Items = append(l.Items, args[0])
			l.mod++
			return true, nil
		}
		if n == 2 {
			i, ok := argInt(args[0])
			if !ok {
				return nil, nil
			}
			if i < 0 || i > len(l.Items) {
				return nil, indexError("IndexOutOfBoundsException: Index "+strconv.Itoa(i)+", Size", len(l.Items))
			}
			l.mod++
			l.Items = append(l.Items, nil)
			copy(l.Items[i+1:], l.Items[i:])
			l.Items[i] = args[1]
			return nil, nil
		}
	case mAddAll:
		if n == 1 {
			if o, ok := args[0].(*List); ok {
				if len(l.Items)+len(o.Items) > maxCollection {
					return nil, ErrOutputLimit
				}
				l.Items = append(l.Items, o.Items...)
				l.mod++
				return len(o.Items) > 0, nil
			}
		}
	case mSet:
		if n == 2 {
			i, ok := argInt(args[0])
			if !ok {
				return nil, nil
			}
			if i < 0 || i >= len(l.Items) {
				return nil, indexError("IndexOutOfBoundsException: Index "+strconv.Itoa(i)+" out of bounds for length", len(l.Items))
			}
			old := l.Items[i]
			l.Items[i] = args[1]
			return old, nil
		}
	case mRemove:
		if n == 1 {
			if i, ok := argInt(args[0]); ok {
				if i < 0 || i >= len(l.Items) {
					return nil, indexError("IndexOutOfBoundsException: Index "+strconv.Itoa(i)+" out of bounds for length", len(l.Items))
				}
				old := l.Items[i]
				l.Items = append(l.Items[:i], l.Items[i+1:]...)
				l.mod++
				return old, nil
			}
			i := listIndex(l, args[0])
			if i < 0 {
				return false, nil
			}
			l.Items = append(l.Items[:i], l.Items[i+1:]...)
			l.mod++
			return true, nil
		}
	case mClear:
		if n == 0 {
			l.Items = l.Items[:0]
			l.mod++
			return nil, nil
		}
	case mSubList:
		if n == 2 {
			a, ok1 := argInt(args[0])
			b, ok2 := argInt(args[1])
			if !ok1 || !ok2 {
				return nil, nil
			}
			if a < 0 || b > len(l.Items) || a > b {
				return nil, indexError("IndexOutOfBoundsException: fromIndex "+strconv.Itoa(a)+", toIndex "+strconv.Itoa(b)+", size", len(l.Items))
			}
			return &List{Items: append([]any(nil), l.Items[a:b]...)}, nil
		}
	case mEquals:
		if n == 1 {
			return javaEquals(l, args[0]), nil
		}
	}
	return nil, nil
}

func listIndex(l *List, v any) int {
	for i, it := range l.Items {
		if javaEquals(it, v) {
			return i
		}
	}
	return -1
}

func mapMethod(m *Map, id mid, args []any) (any, error) {
	n := len(args)
	key := func() (string, bool) {
		k, ok := args[0].(string)
		return k, ok
	}
	switch id {
	case mSize:
		if n == 0 {
			return int64(m.Len()), nil
		}
	case mIsEmpty:
		if n == 0 {
			return m.Len() == 0, nil
		}
	case mToString:
		if n == 0 {
			return toString(m), nil
		}
	case mGet:
		if n == 1 {
			if k, ok := key(); ok {
				v, _ := m.Get(k)
				return v, nil
			}
			return nil, nil
		}
	case mContainsKey:
		if n == 1 {
			if k, ok := key(); ok {
				_, found := m.Get(k)
				return found, nil
			}
			return false, nil
		}
	case mContainsValue:
		if n == 1 {
			for _, v := range m.vs {
				if javaEquals(v, args[0]) {
					return true, nil
				}
			}
			return false, nil
		}
	case mPut:
		if n == 2 {
			if args[0] == nil {
				return nil, nil
			}
			return m.Put(toString(args[0]), args[1]), nil
		}
	case mPutAll:
		if n == 1 {
			if o, ok := args[0].(*Map); ok {
				for i, k := range o.keys {
					m.Put(k, o.vs[i])
				}
			}
			return nil, nil
		}
	case mRemove:
		if n == 1 {
			if k, ok := key(); ok {
				return m.Remove(k), nil
			}
			return nil, nil
		}
	case mKeySet:
		if n == 0 {
			if l := m.keySet.Load(); l != nil {
				return l, nil
			}
			l := &List{Items: make([]any, len(m.keys)), ro: true, src: m, srcMod: m.mod}
			for i, k := range m.keys {
				l.Items[i] = k
			}
			m.keySet.Store(l)
			return l, nil
		}
	case mValues:
		if n == 0 {
			l := &List{Items: make([]any, len(m.keys)), src: m, srcMod: m.mod}
			copy(l.Items, m.vs)
			return l, nil
		}
	case mEntrySet:
		if n == 0 {
			l := &List{Items: make([]any, len(m.keys)), src: m, srcMod: m.mod}
			for i, k := range m.keys {
				l.Items[i] = Entry{k, m.vs[i]}
			}
			return l, nil
		}
	case mClear:
		if n == 0 {
			m.clear()
			return nil, nil
		}
	case mEquals:
		if n == 1 {
			return javaEquals(m, args[0]), nil
		}
	}
	return nil, nil
}
