import ArgumentParser
import Foundation
import RedisKit

/// Prints a result in the one format bench.sh parses, and a readable line beside it.
func report(_ name: String, _ value: Double, unit: String, detail: String = "") {
    print("RESULT \(name) \(String(format: "%.0f", value)) \(unit)\(detail.isEmpty ? "" : "  # \(detail)")")
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Runs `body` once per caller, all at the same time, and returns the wall time they took.
func measure(callers: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws -> Duration {
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for caller in 0..<callers { group.addTask { try await body(caller) } }
        try await group.waitForAll()
    }
    return ContinuousClock.now - start
}

/// Benchmarks flood their target: refuse anything but this machine.
func requireLoopback(_ redisURL: String) throws {
    let configuration = try RedisConfiguration(url: redisURL)
    guard ["127.0.0.1", "localhost", "::1"].contains(configuration.host) else {
        throw ValidationError("recall-bench only sends load to 127.0.0.1, localhost or ::1, not \(configuration.host)")
    }
}

/// The load options of the Redis benchmarks: where, how many callers, how much.
struct RedisLoadOptions: ParsableArguments {
    @Option(help: "Redis URL (loopback only: this sends a flood of requests).") var url: String
    @Option(help: "Concurrent callers.") var callers = 50
    @Option(help: "Operations in total per scenario.") var requests = 200_000
    @Option(help: "Connections in the client's pool.") var poolSize = 8

    func validate() throws {
        try requireLoopback(url)
    }

    /// A connected client with the chosen pool size.
    func connect() async throws -> RedisClient {
        let client = RedisClient(configuration: try RedisConfiguration(url: url, poolSize: poolSize))
        try await client.ping()
        return client
    }
}
