import Foundation
@testable import RecallTop
import Testing

@Suite("dashboard layout")
struct DashboardLayoutTests {
    static func loadedState() -> DashboardState {
        var state = DashboardState(server: "http://127.0.0.1:8000", interval: 2)
        var stats = CacheStatsSnapshot()
        stats.backend = "redis"
        stats.hitRate = 0.833
        stats.redisUsedMemory = 64 * 1024 * 1024
        stats.redisMaxMemory = 256 * 1024 * 1024
        stats.redisConnectedClients = 10
        let metrics = PrometheusText(parsing: """
            cache_hits_total{backend="redis"} 1500
            cache_misses_total{backend="redis"} 300
            cache_errors_total{backend="redis",operation="get"} 2
            cache_evictions_total{backend="memory"} 7
            http_requests_total{method="GET",route="/x",status="200"} 100
            jobs_queue_depth{queue="default"} 3
            """)
        let jobs = JobsListing(jobs: [
            .init(id: "job-aaaa-1", type: "process_document", status: "running", attempts: 1, progress: 0.45, progressMessage: "chunking"),
            .init(id: "job-bbbb-2", type: "scrape_url", status: "dead", attempts: 5, error: "HTTP 404"),
        ], counts: ["queued": 3, "running": 1, "retrying": 0, "dead": 2])
        state.apply(PollResult(uptime: 1, date: Date(), stats: stats, metrics: metrics, jobs: jobs))
        return state
    }

    static func text(_ lines: [ScreenLine]) -> String {
        lines.map(\.text).joined(separator: "\n")
    }

    @Test("the overview shows hit rate, memory bar, per-backend counts, job counts and rows")
    func overview() {
        let lines = DashboardLayout(width: 100, height: 30).lines(for: Self.loadedState())
        let screen = Self.text(lines)
        #expect(lines.count == 30)
        #expect(lines.allSatisfy { $0.text.count <= 100 })
        #expect(screen.contains("Hit rate   83.3%"))
        #expect(screen.contains("[█████") && screen.contains("64.0 MB / 256.0 MB (25.0%)"))
        let redisRow = lines.first { $0.text.hasPrefix("  redis ") }?.text ?? ""
        #expect(redisRow.split(separator: " ") == ["redis", "1500", "300", "2", "0"])
        let memoryRow = lines.first { $0.text.hasPrefix("  memory ") }?.text ?? ""
        #expect(memoryRow.split(separator: " ") == ["memory", "0", "0", "0", "7"])
        #expect(screen.contains("queued 3   running 1   retrying 0   dead 2   depth 3 (default 3)"))
        #expect(screen.contains("job-aaaa-"))
        #expect(lines.first { $0.text.contains("job-bbbb-") }?.style == .alert)
        #expect(lines.first { $0.text.contains("job-aaaa-") }?.text.contains("45%") == true)
        #expect(lines.last?.text.hasPrefix("q quit") == true)
    }

    @Test("unreachable server: the retry line, and no crash with nothing loaded")
    func unreachable() {
        var state = DashboardState(server: "http://127.0.0.1:9", interval: 1)
        state.apply(PollResult(uptime: 1, date: Date(), unreachable: "connection refused"))
        let screen = Self.text(DashboardLayout(width: 80, height: 24).lines(for: state))
        #expect(screen.contains("server unreachable — retrying (connection refused)"))
        let ascii = Self.text(DashboardLayout(width: 80, height: 24, unicode: false).lines(for: state))
        #expect(ascii.contains("server unreachable - retrying"))
        #expect(!ascii.unicodeScalars.contains { $0.value == 0x2014 })
    }

    @Test("every size from tiny to wide gives exactly the screen's rows, none too wide")
    func sizes() {
        let state = Self.loadedState()
        for (width, height) in [(1, 1), (10, 3), (40, 10), (80, 24), (200, 60)] {
            let lines = DashboardLayout(width: width, height: height).lines(for: state)
            #expect(lines.count == height)
            #expect(lines.allSatisfy { $0.text.count <= width })
        }
        #expect(DashboardLayout(width: 0, height: 10).lines(for: state).isEmpty)
    }

    @Test("prompts take the bottom line; the jobs and help views")
    func promptsAndViews() {
        var state = Self.loadedState()
        _ = state.handle(.character("c"))
        #expect(DashboardLayout(width: 80, height: 24).lines(for: state).last?.text
                == "Clear the whole cache for every server process? (y/N)")
        _ = state.handle(.escape)
        _ = state.handle(.character("i"))
        _ = state.handle(.character("m"))
        _ = state.handle(.character("g"))
        #expect(DashboardLayout(width: 80, height: 24).lines(for: state).last?.text.hasPrefix("Invalidate model: g_") == true)
        _ = state.handle(.escape)
        _ = state.handle(.character("j"))
        let jobs = Self.text(DashboardLayout(width: 120, height: 24).lines(for: state))
        #expect(jobs.contains("UPDATED") && jobs.contains("error: HTTP 404"))
        _ = state.handle(.character("?"))
        #expect(Self.text(DashboardLayout(width: 80, height: 24).lines(for: state)).contains("c   clear the whole cache"))
    }
}
