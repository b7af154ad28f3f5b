import Foundation

/// The backend when caching is off (`CACHE_ENABLED=false`): it stores nothing and finds nothing.
///
/// It still checks TTLs like every backend, so code that works against it works against the
/// others. Its kind is ``CacheBackendKind/disabled``, which has no metric series: a disabled
/// cache neither hits nor misses.
public struct DisabledCache: CacheBackend {
    /// A cache that keeps nothing.
    public init() {}

    public var kind: CacheBackendKind { .disabled }

    public func get(_ key: String) -> Data? { nil }

    public func set(_ key: String, value: Data, ttl: Duration) throws(CacheError) {
        guard ttl > .zero else { throw CacheError.invalidTTL(ttl) }
    }

    @discardableResult
    public func delete(_ key: String) -> Bool { false }

    @discardableResult
    public func clear() -> Int { 0 }

    public func exists(_ key: String) -> Bool { false }

    @discardableResult
    public func invalidate(pattern: String) -> Int { 0 }

    public func stats() -> CacheStats { CacheStats(backend: .disabled) }
}
