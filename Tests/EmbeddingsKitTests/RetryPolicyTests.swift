@testable import EmbeddingsKit
import Testing

@Suite("RetryPolicy and RetryInfo parsing")
struct RetryPolicyTests {
    @Test("exponential, capped, jittered between half and all of the step")
    func backoff() {
        let policy = RetryPolicy(initialDelay: .seconds(1), maximumDelay: .seconds(60))
        #expect(policy.delay(afterAttempt: 1, serverDelay: nil, random: 1) == .seconds(1))
        #expect(policy.delay(afterAttempt: 2, serverDelay: nil, random: 1) == .seconds(2))
        #expect(policy.delay(afterAttempt: 4, serverDelay: nil, random: 0.5) == .seconds(4))
        #expect(policy.delay(afterAttempt: 10, serverDelay: nil, random: 1) == .seconds(60))
        #expect(policy.delay(afterAttempt: 100, serverDelay: nil, random: 1) == .seconds(60))
        #expect(policy.delay(afterAttempt: 1, serverDelay: .seconds(12), random: 1) == .seconds(12), "the server's retryDelay wins when longer")
        #expect(policy.delay(afterAttempt: 3, serverDelay: .milliseconds(500), random: 1) == .seconds(4))
        for _ in 0..<100 {
            let delay = policy.delay(afterAttempt: 3, serverDelay: nil)
            #expect(delay >= .seconds(2) && delay <= .seconds(4))
        }
    }

    @Test("protobuf Duration strings", arguments: [
        ("46s", Duration.seconds(46)), ("0.5s", .milliseconds(500)), ("0.300s", .milliseconds(300)),
        ("1.000340012s", .milliseconds(1001)), ("0s", .zero),
    ])
    func durations(text: String, expected: Duration) {
        #expect(GeminiWire.parseDuration(text) == expected)
    }

    @Test("malformed durations are ignored", arguments: ["", "s", "12", "-1s", "abc", "1m"])
    func malformed(text: String) {
        #expect(GeminiWire.parseDuration(text) == nil)
    }
}
