package cache

// BytesPerGB is what one GB of an AWS cache cluster is worth in a local
// process: 64 MiB. A stage's cacheClusterSize is scaled by it.
const BytesPerGB = 64 << 20

// DefaultMaxCapacity caps CapacityForSize: 1 GiB.
const DefaultMaxCapacity = 1 << 30

// DefaultClusterSize is the cacheClusterSize AWS assumes when caching is
// enabled without a size.
const DefaultClusterSize = "0.5"

// clusterTenths returns a cacheClusterSize (integrations-v1.md §12) in
// tenths of a GB, or 0 for a size AWS does not offer.
func clusterTenths(size string) int64 {
	switch size {
	case "0.5":
		return 5
	case "1.6":
		return 16
	case "6.1":
		return 61
	case "13.5":
		return 135
	case "28.4":
		return 284
	case "58.2":
		return 582
	case "118":
		return 1180
	case "237":
		return 2370
	}
	return 0
}

// CapacityForSize is CapacityForSizeMax(size, DefaultMaxCapacity).
// With the defaults: 0.5 → 32 MiB, 1.6 → 102.4 MiB, 6.1 → 390.4 MiB,
// 13.5 → 864 MiB, 28.4 and larger → 1 GiB.
func CapacityForSize(size string) int64 {
	return CapacityForSizeMax(size, DefaultMaxCapacity)
}

// CapacityForSizeMax maps a stage's cacheClusterSize (GB, one of 0.5,
// 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237) to a Memory capacity in bytes:
// size × BytesPerGB, capped at maxBytes (no cap if maxBytes <= 0). An
// empty size means DefaultClusterSize; any other value returns 0.
func CapacityForSizeMax(size string, maxBytes int64) int64 {
	if size == "" {
		size = DefaultClusterSize
	}
	n := clusterTenths(size) * BytesPerGB / 10
	if maxBytes > 0 && n > maxBytes {
		n = maxBytes
	}
	return n
}
