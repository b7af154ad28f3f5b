/// Errors that CacheKit itself raises (a backend's transport errors pass through unchanged).
public enum CacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A TTL that is zero or negative: such an entry would be expired on arrival, and Redis
    /// refuses `SET … PX 0`, so every backend refuses it the same way.
    case invalidTTL(Duration)
    /// A key that the Redis cache keeps for itself: `generation` (the corpus generation counter)
    /// and `lock:…` (compute locks). Storing a value there would corrupt them.
    case reservedKey(String)
    /// The shared cache could not carry out a removal (`delete`, `invalidate`, `clear`) because
    /// Redis did not answer; the message says why, without credentials. Entries in this
    /// process's fallback were removed, but other processes still see the shared ones.
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalidTTL(let ttl): "cache TTL must be positive, got \(ttl)"
        case .reservedKey(let key): "the cache key '\(key)' is reserved for the cache's own bookkeeping; choose another key"
        case .unavailable(let reason): "the shared cache is unavailable: \(reason)"
        }
    }
}
