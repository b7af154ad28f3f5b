import Foundation
@testable import RecallTop
import Testing

@Suite("dashboard state and keys")
struct DashboardStateTests {
    static func poll(at uptime: Double, requests: Double, hitRate: Double? = 0.5) -> PollResult {
        var stats = CacheStatsSnapshot()
        stats.backend = "redis"
        stats.hitRate = hitRate
        return PollResult(uptime: uptime, date: Date(timeIntervalSince1970: 0), stats: stats,
                          metrics: PrometheusText(parsing: "http_requests_total{route=\"/a\"} \(requests)\nhttp_requests_total{route=\"/b\"} 0"),
                          jobs: nil)
    }

    @Test("requests per second from counter deltas; a counter reset gives no rate instead of a negative one")
    func requestRate() {
        var state = DashboardState(server: "http://x", interval: 2)
        state.apply(Self.poll(at: 100, requests: 10))
        #expect(state.requestsPerSecond == nil)
        state.apply(Self.poll(at: 102, requests: 30))
        #expect(state.requestsPerSecond == 10)
        state.apply(Self.poll(at: 104, requests: 4))
        #expect(state.requestsPerSecond == nil)
        state.apply(Self.poll(at: 105, requests: 8))
        #expect(state.requestsPerSecond == 4)
    }

    @Test("hit-rate history keeps one sample per poll, a gap while unreachable, and the server's figure as now")
    func history() {
        var state = DashboardState(server: "http://x", interval: 1)
        state.apply(Self.poll(at: 1, requests: 0, hitRate: 0.9))
        state.apply(PollResult(uptime: 2, date: Date(), unreachable: "connection refused"))
        #expect(state.unreachable == "connection refused")
        state.apply(Self.poll(at: 3, requests: 0, hitRate: 0.8))
        #expect(state.unreachable == nil)
        #expect(state.hitRateHistory == [0.9, nil, 0.8])
        #expect(state.hitRate == 0.8)
    }

    @Test("without a server hit rate, the process counters from /metrics give it")
    func hitRateFromMetrics() {
        var state = DashboardState(server: "http://x", interval: 1)
        var poll = Self.poll(at: 1, requests: 0, hitRate: nil)
        poll.metrics = PrometheusText(parsing: "cache_hits_total{backend=\"memory\"} 3\ncache_misses_total{backend=\"memory\"} 1")
        state.apply(poll)
        #expect(state.hitRate == 0.75)
    }

    @Test("c asks first: y clears, anything else cancels")
    func clearConfirmation() {
        var state = DashboardState(server: "http://x", interval: 1)
        #expect(state.handle(.character("c")) == nil)
        #expect(state.prompt == .confirmClear)
        #expect(state.handle(.character("q")) == nil, "q answers the question, it does not quit")
        #expect(state.prompt == nil)
        #expect(state.message == "clear cancelled")
        _ = state.handle(.character("c"))
        #expect(state.handle(.character("y")) == .clear)
    }

    @Test("i takes a kind and a value, with backspace and escape")
    func invalidatePrompt() {
        var state = DashboardState(server: "http://x", interval: 1)
        _ = state.handle(.character("i"))
        _ = state.handle(.character("x"))
        #expect(state.prompt == .invalidateChoice)
        _ = state.handle(.character("s"))
        for character in "abcz" { _ = state.handle(.character(character)) }
        _ = state.handle(.backspace)
        #expect(state.prompt == .invalidateValue(.session, "abc"))
        #expect(state.handle(.enter) == .invalidate(.session, "abc"))
        #expect(state.prompt == nil)
        _ = state.handle(.character("i"))
        _ = state.handle(.character("p"))
        #expect(state.handle(.enter) == nil, "an empty value is not sent")
        _ = state.handle(.escape)
        #expect(state.prompt == nil)
        #expect(InvalidationTarget.session.field == "session_id")
    }

    @Test("q quits, r refreshes, j and ? switch views and back")
    func keys() {
        var state = DashboardState(server: "http://x", interval: 1)
        #expect(state.handle(.character("q")) == .quit)
        #expect(state.handle(.character("r")) == .refresh)
        _ = state.handle(.character("j"))
        #expect(state.view == .jobs)
        _ = state.handle(.character("?"))
        #expect(state.view == .help)
        _ = state.handle(.character("?"))
        #expect(state.view == .overview)
        #expect(state.handle(.resize) == nil)
    }
}
