import ArgumentParser
import Foundation
import RedisKit

/// SET/GET through Recall's Redis client with many concurrent callers, one command each at a
/// time (compare `redis-benchmark -c N -P 1 -t set,get`), and in pipelined batches (compare
/// `-P 16`).
struct RedisBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis",
        abstract: "SET/GET per second through RedisKit, single commands and pipelined batches."
    )

    @OptionGroup var load: RedisLoadOptions
    @Option(help: "Commands per pipelined batch.") var pipeline = 16

    func run() async throws {
        let (callers, requests, poolSize) = (load.callers, load.requests, load.poolSize)
        let client = try await load.connect()
        let prefix = "recall-bench:\(UUID().uuidString):"
        // redis-benchmark's default payload is 3 bytes.
        let value: [UInt8] = Array("xxx".utf8)
        let perCaller = requests / callers

        let single = try await measure(callers: callers) { caller in
            let key = "\(prefix)\(caller)"
            for index in 0..<perCaller {
                if index.isMultiple(of: 2) {
                    try await client.set(key, value: value)
                } else {
                    _ = try await client.get(key)
                }
            }
        }
        report("redis_single_ops", Double(perCaller * callers) / single.seconds, unit: "ops/s",
               detail: "\(callers) callers, half SET half GET, pool \(poolSize)")

        let batches = perCaller / pipeline
        let pipelined = try await measure(callers: callers) { caller in
            let key = "\(prefix)\(caller)"
            let sets = Array(repeating: ["SET", key, "xxx"], count: pipeline)
            let gets = Array(repeating: ["GET", key], count: pipeline)
            for index in 0..<batches {
                _ = try await client.pipeline(index.isMultiple(of: 2) ? sets : gets)
            }
        }
        report("redis_pipelined_ops", Double(batches * pipeline * callers) / pipelined.seconds, unit: "ops/s",
               detail: "\(callers) callers, batches of \(pipeline)")

        _ = try await client.unlink((0..<callers).map { "\(prefix)\($0)" })
        await client.shutdown()
    }
}
