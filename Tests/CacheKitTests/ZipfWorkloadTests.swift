import Foundation
import MetricsKit
import TestSupport
import Testing

@testable import CacheKit

/// Chat traffic is heavy-tailed: a few questions are asked constantly, most rarely. This replays
/// a Zipf-distributed workload through the real `cached` path and checks the hit rate the design
/// targets (≥ 80 %).
@Suite("Zipf workload")
struct ZipfWorkloadTests {
    /// Samples ranks `0..<count` with probability proportional to `1 / (rank + 1)^exponent`.
    struct ZipfSampler {
        private let cumulative: [Double]

        init(count: Int, exponent: Double) {
            var running = 0.0
            var cumulative: [Double] = []
            cumulative.reserveCapacity(count)
            for rank in 1...count {
                running += 1 / pow(Double(rank), exponent)
                cumulative.append(running)
            }
            self.cumulative = cumulative.map { $0 / running }
        }

        func sample(using rng: inout some RandomNumberGenerator) -> Int {
            let u = Double.random(in: 0..<1, using: &rng)
            // First rank whose cumulative probability exceeds u.
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] > u { high = mid } else { low = mid + 1 }
            }
            return low
        }
    }

    @Test("1,000 questions, s = 1.1, 20,000 requests, 1,000 entries: hit rate ≥ 80 %")
    func zipfHitRate() async throws {
        let metrics = RecallMetrics()
        let cache = InProcessTTLCache(maxSize: 1_000, metrics: metrics)
        let layout = ChatKeyLayout(prefix: "recall")
        let questions = (0..<1_000).map { "Question number \($0) about the handbook?" }
        let sampler = ZipfSampler(count: questions.count, exponent: 1.1)
        var rng = SplitMix64(seed: 20_251_128)
        let computations = CallCounter()

        var hits = 0
        let requests = 20_000
        for _ in 0..<requests {
            let question = questions[sampler.sample(using: &rng)]
            let key = layout.key(for: ChatCacheKey(question: question), tenant: "acme", generation: 1)
            let (answer, hit) = try await cached(backend: cache, key: key, ttl: .seconds(3600), metrics: metrics) {
                computations.increment()
                return "answer: \(ChatCacheKey.normalize(question))"
            }
            #expect(answer == "answer: \(ChatCacheKey.normalize(question))")
            if hit { hits += 1 }
        }

        let hitRate = Double(hits) / Double(requests)
        let tracker = metrics.cache(.memory).hitRate
        #expect(hitRate >= 0.80, "hit rate \(hitRate)")
        // The cache holds every distinct question, so each is computed exactly once.
        #expect(computations.value == requests - hits)
        #expect(tracker.hits == hits)
        #expect(tracker.misses == requests - hits)
        #expect(tracker.hitRate == hitRate)
        let stats = cache.stats()
        #expect(stats.memoryCacheSize == requests - hits)
        #expect(stats.hitRate == hitRate)
    }

    @Test("the sampler is heavy-tailed: rank 0 is drawn far more often than rank 999")
    func samplerShape() {
        let sampler = ZipfSampler(count: 1_000, exponent: 1.1)
        var rng = SplitMix64(seed: 1)
        var counts = [Int](repeating: 0, count: 1_000)
        for _ in 0..<20_000 { counts[sampler.sample(using: &rng)] += 1 }
        #expect(counts[0] > 100 * max(counts[999], 1) || counts[999] == 0)
        #expect(counts[0] > counts[1])
        #expect(counts[1] > counts[10])
    }
}
