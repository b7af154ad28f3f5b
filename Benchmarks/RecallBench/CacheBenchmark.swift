import ArgumentParser
import CacheKit
import Foundation
import RedisKit

/// GET/SET through ``RedisCache`` — prefixing, TTLs and the near-cache announcement on every
/// write included — with many concurrent callers (compare `redis-benchmark -c N -P 1`), and
/// `getMany`/`setMany` batches (compare `-P 16`).
struct CacheBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis-cache",
        abstract: "Cache gets and sets per second through RedisCache, one at a time and in batches."
    )

    @OptionGroup var load: RedisLoadOptions
    @Option(help: "Entries per getMany/setMany batch.") var batch = 16

    func run() async throws {
        let (callers, requests, poolSize) = (load.callers, load.requests, load.poolSize)
        let client = try await load.connect()
        let cache = RedisCache(client: client, prefix: "recall-bench:\(UUID().uuidString)")
        let value = Data("xxx".utf8)
        let ttl = Duration.seconds(300)
        let perCaller = requests / callers

        let single = try await measure(callers: callers) { caller in
            let key = "k\(caller)"
            for index in 0..<perCaller {
                if index.isMultiple(of: 2) {
                    try await cache.set(key, value: value, ttl: ttl)
                } else if try await cache.get(key) == nil {
                    throw ValidationError("RedisCache lost \(key) during the benchmark")
                }
            }
        }
        report("cache_single_ops", Double(perCaller * callers) / single.seconds, unit: "ops/s",
               detail: "\(callers) callers, half set half get, pool \(poolSize)")

        let batches = perCaller / batch
        let batched = try await measure(callers: callers) { caller in
            let entries = (0..<batch).map { (key: "b\(caller):\($0)", value: value) }
            let keys = entries.map(\.key)
            for index in 0..<batches {
                if index.isMultiple(of: 2) {
                    try await cache.setMany(entries, ttl: ttl)
                } else {
                    _ = try await cache.getMany(keys)
                }
            }
        }
        report("cache_batched_ops", Double(batches * batch * callers) / batched.seconds, unit: "ops/s",
               detail: "\(callers) callers, batches of \(batch)")

        _ = try await cache.clear()
        await client.shutdown()
    }
}
