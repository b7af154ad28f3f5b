import Testing

@testable import CacheKit

@Suite("SingleFlight")
struct SingleFlightTests {
    struct Boom: Error, Equatable {}

    @Test("100 concurrent callers for one key compute once and share the value")
    func coalesces() async throws {
        let flights = SingleFlight<String>()
        let computations = CallCounter()
        let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await flights.run("key") {
                        computations.increment()
                        // Hold the flight open until the other 99 callers are waiting on it.
                        try await waitUntil { flights.waiterCount(for: "key") == 99 }
                        return "answer"
                    }
                }
            }
            var results: [(String, Bool)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(computations.value == 1)
        #expect(results.count == 100)
        #expect(results.allSatisfy { $0.0 == "answer" })
        #expect(results.filter { !$0.1 }.count == 1, "exactly one caller led")
    }

    @Test("an error reaches every waiter, and the next call computes again")
    func errorsAreShared() async throws {
        let flights = SingleFlight<Int>()
        let computations = CallCounter()
        let failures = CallCounter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await flights.run("k") {
                            computations.increment()
                            try await waitUntil { flights.waiterCount(for: "k") == 19 }
                            throw Boom()
                        }
                    } catch is Boom {
                        failures.increment()
                    } catch {}
                }
            }
        }
        #expect(computations.value == 1)
        #expect(failures.value == 20)

        // Nothing is remembered: a later call runs its own computation.
        let (value, shared) = try await flights.run("k") { 42 }
        #expect(value == 42)
        #expect(shared == false)
    }

    @Test("different keys do not wait on each other")
    func keysAreIndependent() async throws {
        let flights = SingleFlight<String>()
        let computations = CallCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask {
                    let (value, _) = try await flights.run("k\(index)") {
                        computations.increment()
                        return "v\(index)"
                    }
                    #expect(value == "v\(index)")
                }
            }
            try await group.waitForAll()
        }
        #expect(computations.value == 10)
    }

    @Test("a cancelled leader does not pass its cancellation to waiters")
    func leaderCancellation() async throws {
        let flights = SingleFlight<String>()
        let computations = CallCounter()
        let leader = Task {
            try await flights.run("k") {
                computations.increment()
                // Sleeps until cancelled, then throws CancellationError.
                try await Task.sleep(for: .seconds(60))
                return "never"
            }
        }
        try await waitUntil { computations.value == 1 }
        let waiter = Task {
            try await flights.run("k") {
                computations.increment()
                return "recomputed"
            }
        }
        try await waitUntil { flights.waiterCount(for: "k") == 1 }
        leader.cancel()
        await #expect(throws: CancellationError.self) { try await leader.value }
        let (value, shared) = try await waiter.value
        #expect(value == "recomputed")
        #expect(shared == false)
        #expect(computations.value == 2)
    }
}
