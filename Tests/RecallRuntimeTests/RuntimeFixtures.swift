import ConfigKit
import Foundation
import JobsKit
import RedisKit
import TestSupport

/// Settings as a program would load them from `environment` alone (no .env file).
func settings(_ environment: [String: String]) throws -> Settings {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("recall-empty-\(UUID().uuidString).env")
    try Data().write(to: empty)
    defer { try? FileManager.default.removeItem(at: empty) }
    return try SettingsLoader.load(environment: environment, envFile: empty.path).settings
}

/// A job queue of its own on the test Redis.
struct TestQueue {
    let redis: RedisClient
    let queue: RedisStreamsQueue

    init() throws {
        redis = RedisClient(configuration: try RedisConfiguration(url: TestServices.url(.redis), poolSize: 2))
        queue = RedisStreamsQueue(redis: redis, keyPrefix: "recall-test:ingest:\(UUID().uuidString.prefix(8).lowercased())")
    }

    /// Waits until every job in `ids` has a final status, or `timeout` passes.
    func waitForFinal(_ ids: [String], timeout: Duration) async throws -> [JobRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            var records: [JobRecord] = []
            for id in ids {
                if let record = try await queue.record(id: id) { records.append(record) }
            }
            if records.count == ids.count, records.allSatisfy({ $0.status.isFinal }) { return records }
            if ContinuousClock.now > deadline { return records }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    func close() async {
        let pattern = "\\{\(queue.keyPrefix)\\}*"
        do {
            for try await keys in redis.scan(match: pattern) { _ = try await redis.unlink(keys) }
        } catch {}
        await redis.shutdown()
    }
}
