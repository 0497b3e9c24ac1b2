package vtl

import (
	"math"
	"math/big"
)

func parseBig(s string) (*big.Int, bool) {
	return new(big.Int).SetString(s, 10)
}

// normBig returns b as int64 when it fits (Velocity narrows results back
// to Integer/Long; printing is the same either way).
func normBig(b *big.Int) any {
	if b.IsInt64() {
		return b.Int64()
	}
	return b
}

func toBig(v any) *big.Int {
	switch x := v.(type) {
	case int64:
		return big.NewInt(x)
	case *big.Int:
		return x
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, true
	}
	return 0, false
}

// arith applies + - * / % with Velocity 1.7's rules (MathUtils): integers
// stay integral, overflow promotes to BigInteger, any decimal makes the
// result a Double, division or remainder by zero is null.
func arith(op binOp, a, b any) any {
	if !isNumber(a) || !isNumber(b) {
		return nil
	}
	_, af := a.(float64)
	_, bf := b.(float64)
	if af || bf {
		x, _ := toFloat(a)
		y, _ := toFloat(b)
		switch op {
		case opAdd:
			return x + y
		case opSub:
			return x - y
		case opMul:
			return x * y
		case opDiv:
			if y == 0 {
				return nil
			}
			return x / y
		case opMod:
			if y == 0 {
				return nil
			}
			return math.Mod(x, y)
		}
		return nil
	}
	x, xi := a.(int64)
	y, yi := b.(int64)
	if xi && yi {
		switch op {
		case opAdd:
			s := x + y
			if (s^x)&(s^y) >= 0 {
				return s
			}
		case opSub:
			s := x - y
			if (x^y)&(x^s) >= 0 {
				return s
			}
		case opMul:
			if x == 0 || y == 0 {
				return int64(0)
			}
			p := x * y
			if p/y == x && !(x == -1 && y == math.MinInt64) && !(y == -1 && x == math.MinInt64) {
				return p
			}
		case opDiv:
			if y == 0 {
				return nil
			}
			if !(x == math.MinInt64 && y == -1) {
				return x / y
			}
		case opMod:
			if y == 0 {
				return nil
			}
			if y == -1 {
				return int64(0)
			}
			return x % y
		}
	}
	bx, by := toBig(a), toBig(b)
	z := new(big.Int)
	switch op {
	case opAdd:
		z.Add(bx, by)
	case opSub:
		z.Sub(bx, by)
	case opMul:
		z.Mul(bx, by)
	case opDiv:
		if by.Sign() == 0 {
			return nil
		}
		z.Quo(bx, by)
	case opMod:
		if by.Sign() == 0 {
			return nil
		}
		z.Rem(bx, by)
	}
	return normBig(z)
}
