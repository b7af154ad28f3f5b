import ArgumentParser
import CacheKit
import Foundation

/// InProcessTTLCache hits: one thread alone, then two threads contending for the same cache.
struct MemoryCacheBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory-cache",
        abstract: "Hits per second of InProcessTTLCache on one core and under two-thread contention."
    )

    @Option(help: "Lookups per thread.") var operations = 20_000_000
    @Option(help: "Distinct keys, all present.") var keys = 1_000

    func run() throws {
        let cache = InProcessTTLCache(maxSize: keys, defaultTTL: .seconds(3600))
        let names = (0..<keys).map { "recall:chat:t=:g=0:m=:s=:\(String(format: "%032x", $0))" }
        for name in names { try cache.set(name, value: Data("cached answer \(name)".utf8), ttl: .seconds(3600)) }

        // Warm up caches and branch predictors before timing.
        _ = lookups(cache, names, count: operations / 10)
        let single = timed { lookups(cache, names, count: operations) }
        report("memory_cache_hits_1_thread", Double(single.hits) / single.elapsed.seconds, unit: "hits/s")

        let threads = 2
        let results = ResultCollector<[(Int, Duration)]>([])
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread {
                let result = timed { lookups(cache, names, count: operations) }
                results.append((result.hits, result.elapsed))
                group.leave()
            }.start()
        }
        group.wait()
        let all = results.value
        let total = all.map(\.0).reduce(0, +)
        let slowest = all.map(\.1).max() ?? .zero
        report("memory_cache_hits_2_threads", Double(total) / slowest.seconds, unit: "hits/s", detail: "total over both threads")
    }

    private func lookups(_ cache: InProcessTTLCache, _ names: [String], count: Int) -> Int {
        var hits = 0
        var index = 0
        for _ in 0..<count {
            if cache.get(names[index]) != nil { hits += 1 }
            index += 1
            if index == names.count { index = 0 }
        }
        return hits
    }

    private func timed(_ body: () -> Int) -> (hits: Int, elapsed: Duration) {
        let start = ContinuousClock.now
        let hits = body()
        return (hits, ContinuousClock.now - start)
    }
}

/// A tiny lock-protected box for collecting per-thread results.
final class ResultCollector<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func append<Element>(_ element: Element) where Value == [Element] { lock.withLock { stored.append(element) } }
}
