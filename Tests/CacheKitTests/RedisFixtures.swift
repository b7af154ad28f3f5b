import Foundation
import Logging
import MetricsKit
import RedisKit
import TestSupport

@testable import CacheKit

/// The shared test Redis that `make test` provides; tests on it use ``uniquePrefix()`` and never
/// flush it.
func sharedRedisConfiguration(poolSize: Int = 2, timeout: Duration = .seconds(2)) throws -> RedisConfiguration {
    try RedisConfiguration(url: TestServices.url(.redis), poolSize: poolSize, connectTimeout: timeout, commandTimeout: timeout)
}

/// A key prefix no other test or earlier run uses.
func uniquePrefix(_ name: String = "cache") -> String {
    "recall-test-\(name)-\(UUID().uuidString.prefix(8))"
}

/// A logger that prints nothing: tests read outcomes, not log lines.
let silentLogger = Logger(label: "CacheKitTests") { _ in SwiftLogNoOpLogHandler() }

/// A configuration for a ``ResponseCache`` on `redis`, with intervals short enough for tests.
func redisCacheConfiguration(
    _ redis: RedisConfiguration,
    prefix: String = uniquePrefix(),
    nearCache: Bool = false
) -> CacheConfiguration {
    var configuration = CacheConfiguration()
    configuration.backend = .redis
    configuration.redis = redis
    configuration.keyPrefix = prefix
    configuration.nearCacheEnabled = nearCache
    // Confirmations are part of what the tests check: a loaded machine must not time them out.
    configuration.nearCacheConfirmationTimeout = .seconds(10)
    configuration.probeInterval = .milliseconds(100)
    configuration.lockTTL = .seconds(5)
    configuration.lockPollInterval = .milliseconds(20)
    return configuration
}

/// Retries `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

/// Every key under `prefix:` in the Redis `client` talks to.
func keys(under prefix: String, client: RedisClient) async throws -> Set<String> {
    var found = Set<String>()
    for try await page in client.scan(match: GlobPattern.escape(prefix) + ":*") {
        found.formUnion(page)
    }
    return found
}

extension ResponseCache {
    /// The near cache in front of Redis, if there is one.
    var nearCache: NearCache? { resilient?.primary as? NearCache }
}

/// One line of a Prometheus exposition, e.g. `cache_hits_total{backend="redis"} 2`, is present.
func exposition(_ metrics: RecallMetrics, contains line: String) -> Bool {
    metrics.exposition().split(separator: "\n").contains { $0 == line }
}
