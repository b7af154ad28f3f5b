import Foundation
import MetricsKit
import Testing

@testable import CacheKit

@Suite("CacheWarmer")
struct CacheWarmerTests {
    struct Unanswerable: Error {}

    let layout = ChatKeyLayout(prefix: "recall")

    func key(_ question: String) -> String {
        layout.key(for: ChatCacheKey(question: question, model: "default"), tenant: "acme", generation: 1)
    }

    @Test("warms missing questions, skips cached ones, and reports failures")
    func warms() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 100)
        let layout = layout
        let keyFor: @Sendable (String) -> String = { question in
            layout.key(for: ChatCacheKey(question: question, model: "default"), tenant: "acme", generation: 1)
        }
        try await cache.setValue(keyFor("How do I request time off?"), "already here", ttl: .seconds(60))

        let computed = CallCounter()
        let warmer = CacheWarmer<String>(backend: cache, ttl: .seconds(7200), metrics: metrics, key: keyFor) {
            question in
            computed.increment()
            if question.contains("secret") { throw Unanswerable() }
            return "answer to \(question)"
        }
        let questions = [
            "What is the company policy?", "How do I request time off?", "What are the benefits?",
            "what is the  COMPANY policy?", "the secret plan",
        ]
        let report = await warmer.warm(questions)
        #expect(report == .init(warmed: 2, skipped: 2, failed: 1))
        #expect(computed.value == 3)
        #expect(try await cache.getValue(keyFor("What are the benefits?"), as: String.self) == "answer to What are the benefits?")
        #expect(try await cache.getValue(keyFor("How do I request time off?"), as: String.self) == "already here")

        // A second run finds everything it could warm already there.
        #expect(await warmer.warm(questions) == .init(warmed: 0, skipped: 4, failed: 1))
    }

    @Test("an unreachable cache fails each question without computing, and is counted")
    func unreachableCache() async {
        let metrics = RecallMetrics()
        let computed = CallCounter()
        let warmer = CacheWarmer<String>(
            backend: FailingBackend(), ttl: .seconds(60), metrics: metrics, key: { $0 }
        ) { _ in
            computed.increment()
            return "a"
        }
        #expect(await warmer.warm(["a", "b"]) == .init(warmed: 0, skipped: 0, failed: 2))
        #expect(computed.value == 0)
        #expect(metrics.exposition().contains(#"cache_errors_total{backend="redis",operation="exists"} 2"#))
    }
}
