import Foundation
import RedisKit
import TestSupport
import Testing

/// Not a timed test: it asserts nothing about speed, it prints a number to compare with
/// `redis-benchmark -c 50 -P 1 -t set,get` on the same machine (see
/// Infrastructure/scripts/redis-kit-bench.sh). Runs only when RECALL_REDIS_BENCH=1, and is only
/// meaningful in a release build.
@Suite("RedisKit throughput check", .enabled(if: ProcessInfo.processInfo.environment["RECALL_REDIS_BENCH"] == "1"))
struct ThroughputCheck {
    @Test("50 concurrent callers doing SET and GET")
    func fiftyCallers() async throws {
        let environment = ProcessInfo.processInfo.environment
        let callers = Int(environment["RECALL_REDIS_BENCH_CALLERS"] ?? "") ?? 50
        let requests = Int(environment["RECALL_REDIS_BENCH_REQUESTS"] ?? "") ?? 200_000
        let poolSize = Int(environment["RECALL_REDIS_BENCH_POOL"] ?? "") ?? 8
        let client = RedisClient(configuration: try sharedConfiguration(poolSize: poolSize))
        let prefix = uniquePrefix("bench")
        let value = [UInt8](repeating: 0x78, count: 3)  // redis-benchmark's default 3-byte payload
        try await client.ping()

        let perCaller = requests / callers
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<callers {
                group.addTask {
                    let key = "\(prefix)\(caller)"
                    for index in 0..<perCaller {
                        if index % 2 == 0 {
                            try await client.set(key, value: value)
                        } else {
                            _ = try await client.get(key)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let total = perCaller * callers
        print("RedisKit throughput: \(Int(Double(total) / seconds)) ops/s "
              + "(\(total) SET+GET, \(callers) callers, pool \(poolSize))")
        _ = try await client.delete((0..<callers).map { "\(prefix)\($0)" })
        await client.shutdown()
    }
}
