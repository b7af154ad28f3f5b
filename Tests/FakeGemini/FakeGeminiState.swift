import Synchronization

/// The fake's mutable state: configuration the tests change, scripted faults, the request log.
final class FakeGeminiState: Sendable {
    struct Fault: Sendable {
        let status: Int
        let retryDelay: String?
        let quotaId: String?
    }

    struct Values: Sendable {
        let apiKey: String
        var latency: Duration
        var models: Set<String>
        var faults: [Fault] = []
        var vectorLengthOverride: Int?
        var generation: FakeGeminiGeneration = .answer(nil)
        var log: [FakeGeminiRequest] = []
        var inFlight = 0
        var peakInFlight = 0
    }

    private let values: Mutex<Values>

    init(apiKey: String, latency: Duration, models: Set<String>) {
        values = Mutex(Values(apiKey: apiKey, latency: latency, models: models))
    }

    func locked<T>(_ body: (inout Values) -> T) -> T {
        values.withLock { body(&$0) }
    }
}
