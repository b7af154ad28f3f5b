import Foundation
import MetricsKit

/// Which kind of store a ``CacheBackend`` is; also the `backend` label of the cache metrics and
/// the `backend` field of ``CacheStats``.
public enum CacheBackendKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The shared Redis cache, coherent across processes.
    case redis
    /// The in-process TTL+LRU cache, private to one process.
    case memory
    /// No cache: `CACHE_ENABLED=false`. Nothing is stored and nothing is counted.
    case disabled

    /// The matching label value for MetricsKit's recorders; `nil` for ``disabled``, which has
    /// no series (the `backend` label is `redis` or `memory` by contract).
    var metricsLabel: CacheBackendLabel? {
        switch self {
        case .redis: .redis
        case .memory: .memory
        case .disabled: nil
        }
    }
}

/// A key-value store for cached responses, with a time to live on every entry.
///
/// Values are opaque bytes so that every backend stores the same thing; the Codable conveniences
/// in the extension (``getValue(_:as:)``, ``setValue(_:_:ttl:)``) encode them as JSON. Every
/// entry carries a TTL because a cache key without one can never leave a shared Redis except by
/// eviction, and an eviction policy that must pick among keys without TTLs can evict job-queue
/// keys instead.
///
/// Implementations throw when the store cannot answer (Redis down, a timeout). Programs use the
/// backend of a ``ResponseCache`` (from ``CacheFactory``), which serves from this process's
/// memory instead, and on the request path ``ResponseCache/cached(key:ttl:isCacheable:compute:)``
/// or ``cached(backend:key:ttl:metrics:coalescing:isCacheable:compute:)``, which turn failures
/// into a counted miss instead of a failed request.
public protocol CacheBackend: Sendable {
    /// Which kind of store this is.
    var kind: CacheBackendKind { get }

    /// The value stored under `key`, or `nil` if there is none or it has expired.
    func get(_ key: String) async throws -> Data?

    /// Stores `value` under `key`, replacing any previous value, for `ttl` from now.
    ///
    /// - Throws: ``CacheError/invalidTTL(_:)`` when `ttl` is not positive.
    func set(_ key: String, value: Data, ttl: Duration) async throws

    /// Removes `key`; returns whether a live entry was removed.
    @discardableResult
    func delete(_ key: String) async throws -> Bool

    /// Removes every entry this backend owns; returns how many live entries were removed.
    @discardableResult
    func clear() async throws -> Int

    /// Whether a live (unexpired) entry is stored under `key`.
    func exists(_ key: String) async throws -> Bool

    /// Removes every entry whose key matches `pattern`; returns how many were removed.
    ///
    /// The pattern has Redis `MATCH` semantics (see ``GlobPattern``): `*`, `?`, `[...]` and `\`
    /// escapes, matched against the whole key. Build patterns for chat entries with
    /// ``ChatKeyLayout/pattern(tenant:generation:model:session:)`` so that names are escaped.
    @discardableResult
    func invalidate(pattern: String) async throws -> Int

    /// A snapshot of the backend's size and counters, for `GET /api/v1/cache/stats`.
    func stats() async throws -> CacheStats

    /// The values of several keys, in their order, `nil` for each miss.
    func getMany(_ keys: [String]) async throws -> [Data?]

    /// Stores several entries with one TTL.
    func setMany(_ entries: [(key: String, value: Data)], ttl: Duration) async throws
}

extension CacheBackend {
    /// The values of several keys, in their order, `nil` for each miss.
    ///
    /// Backends that can answer a batch in one round trip (``RedisCache``) provide their own;
    /// this default asks key by key.
    public func getMany(_ keys: [String]) async throws -> [Data?] {
        var values: [Data?] = []
        values.reserveCapacity(keys.count)
        for key in keys { values.append(try await get(key)) }
        return values
    }

    /// Stores several entries with one TTL; the default sets them one by one.
    public func setMany(_ entries: [(key: String, value: Data)], ttl: Duration) async throws {
        for entry in entries { try await set(entry.key, value: entry.value, ttl: ttl) }
    }

    /// The value stored under `key`, decoded from JSON as `type`, or `nil` if there is none.
    ///
    /// - Throws: the backend's error, or a `DecodingError` when the stored bytes are not a `T`.
    public func getValue<T: Decodable>(_ key: String, as type: T.Type = T.self) async throws -> T? {
        guard let data = try await get(key) else { return nil }
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Encodes `value` as JSON and stores it under `key` for `ttl`.
    public func setValue<T: Encodable>(_ key: String, _ value: T, ttl: Duration) async throws {
        try await set(key, value: JSONEncoder().encode(value), ttl: ttl)
    }
}
