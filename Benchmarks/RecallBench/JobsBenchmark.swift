import ArgumentParser
import Foundation
import JobsKit
import RedisKit

/// Enqueues per second onto the Redis Streams queue: `diagnostics.noop` jobs from many callers,
/// left queued for a `recall-worker` to drain afterwards (bench-run.sh times that drain).
struct JobsEnqueueBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs-enqueue",
        abstract: "Enqueue no-op jobs as fast as possible and report enqueues per second."
    )

    @OptionGroup var load: RedisLoadOptions
    @Option(help: "JOB_KEY_PREFIX of the queue (use a fresh one per run).") var prefix: String

    func run() async throws {
        let redis = try await load.connect()
        let queue = RedisStreamsQueue(redis: redis, keyPrefix: prefix)
        let perCaller = load.requests / load.callers
        let payload = Data("{}".utf8)
        let elapsed = try await measure(callers: load.callers) { _ in
            for _ in 0..<perCaller {
                _ = try await queue.enqueue(type: TaskName.diagnosticsNoop, payload: payload)
            }
        }
        report("jobs_enqueued_per_second", Double(perCaller * load.callers) / elapsed.seconds, unit: "jobs/s",
               detail: "\(perCaller * load.callers) jobs from \(load.callers) callers")
        await redis.shutdown()
    }
}

/// The time from enqueue to start on an idle queue, one job at a time, with a worker already
/// waiting on the same prefix. Both instants come from the job record, which the broker's clock
/// (Redis `TIME`) stamps: no clock skew between this process and the worker's.
struct JobsLatencyBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs-latency",
        abstract: "Enqueue-to-start latency (p50, p99) with an idle worker listening."
    )

    @OptionGroup var load: RedisLoadOptions
    @Option(help: "JOB_KEY_PREFIX the running worker serves.") var prefix: String
    @Option(help: "Jobs to time, one after the other.") var samples = 300

    func run() async throws {
        let redis = try await load.connect()
        let queue = RedisStreamsQueue(redis: redis, keyPrefix: prefix)
        var latencies: [Double] = []
        for _ in 0..<samples {
            let id = try await queue.enqueue(type: TaskName.diagnosticsNoop, payload: Data("{}".utf8))
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                if let record = try await queue.record(id: id), let started = record.startedAt {
                    latencies.append(started.timeIntervalSince(record.createdAt) * 1000)
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            // An idle queue: let the worker finish this one before timing the next.
            try await Task.sleep(for: .milliseconds(5))
        }
        guard latencies.count == samples else {
            throw ValidationError("only \(latencies.count) of \(samples) jobs started within 10 s: is a worker running on \(prefix)?")
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print(String(format: "RESULT jobs_start_latency_p50_ms %.2f ms", percentile(0.50)))
        print(String(format: "RESULT jobs_start_latency_p99_ms %.2f ms  # %d samples, broker clock (ms resolution)",
                     percentile(0.99), samples))
        await redis.shutdown()
    }
}
