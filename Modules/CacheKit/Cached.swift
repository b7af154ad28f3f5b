import Foundation
import MetricsKit

/// Returns the cached value for `key`, or computes, caches and returns it.
///
/// The cache is an accelerator, never a dependency: if the backend fails to read or write, the
/// failure is counted in `cache_errors_total{backend, operation}` and the value is computed (or
/// returned) as if there were no cache. Only `compute`'s own errors reach the caller, and they
/// are never cached; neither are values for which `isCacheable` is `false` (say, an answer
/// produced on a degraded path), so a transient failure is not served to later callers.
///
/// Every call counts one hit or one miss in `cache_hits_total`/`cache_misses_total` with the
/// backend's label. A stored value that no longer decodes as `T` (a changed schema) counts as a
/// miss and a `decode` error, and the fresh value overwrites it.
///
/// ```swift
/// let key = layout.key(for: ChatCacheKey(question: q, model: m), tenant: t, generation: g)
/// let (answer, hit) = try await cached(
///     backend: cache, key: key, ttl: .seconds(3600), metrics: metrics,
///     coalescing: answerFlights, isCacheable: { !$0.degraded }
/// ) {
///     try await engine.answer(q)
/// }
/// ```
///
/// - Parameters:
///   - backend: where values are stored.
///   - key: the full backend key.
///   - ttl: how long a computed value stays cached.
///   - metrics: where hits, misses and errors are counted.
///   - coalescing: if given, concurrent misses for `key` run `compute` once and share its result
///     (see ``SingleFlight``).
///   - isCacheable: whether a computed value may be stored.
///   - compute: produces the value on a miss.
/// - Returns: the value, and whether it came from the cache.
public func cached<T: Codable & Sendable>(
    backend: any CacheBackend,
    key: String,
    ttl: Duration,
    metrics: RecallMetrics,
    coalescing: SingleFlight<T>? = nil,
    isCacheable: (T) -> Bool = { _ in true },
    compute: () async throws -> T
) async throws -> (value: T, hit: Bool) {
    let recorder = backend.kind.metricsLabel.map(metrics.cache)

    do {
        if let data = try await backend.get(key) {
            do {
                let value = try JSONDecoder().decode(T.self, from: data)
                recorder?.recordHit()
                return (value, true)
            } catch {
                recorder?.recordError(.decode)
            }
        }
    } catch {
        recorder?.recordError(.get)
    }
    recorder?.recordMiss()

    func computeAndStore() async throws -> T {
        let value = try await compute()
        if isCacheable(value) {
            do {
                try await backend.setValue(key, value, ttl: ttl)
            } catch {
                recorder?.recordError(.set)
            }
        }
        return value
    }

    if let coalescing {
        return (try await coalescing.run(key, operation: computeAndStore).value, false)
    }
    return (try await computeAndStore(), false)
}
