/// Errors that CacheKit itself raises (a backend's transport errors pass through unchanged).
public enum CacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A TTL that is zero or negative: such an entry would be expired on arrival, and Redis
    /// refuses `SET … PX 0`, so every backend refuses it the same way.
    case invalidTTL(Duration)

    public var description: String {
        switch self {
        case .invalidTTL(let ttl): "cache TTL must be positive, got \(ttl)"
        }
    }
}
