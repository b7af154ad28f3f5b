@testable import RecallTop
import Testing

@Suite("Prometheus text parser")
struct PrometheusTextTests {
    static let exposition = """
        # HELP cache_hits_total Total cache hits
        # TYPE cache_hits_total counter
        cache_hits_total{backend="redis"} 1500
        cache_hits_total{backend="memory"} 20
        cache_misses_total{backend="redis"} 300
        cache_errors_total{backend="redis",operation="get"} 2
        cache_errors_total{backend="redis",operation="set"} 3 1700000000000
        http_requests_total{method="GET",route="/api/v1/chat",status="200"} 41
        http_requests_total{status="500", route="/odd \\"quoted\\" path,{x}",method="POST"} 1
        jobs_queue_depth{queue="default"} 3
        process_start_time_seconds 1.7e9
        weird line without a value
        nan_metric NaN
        """

    @Test("reads names, labels with escapes and commas, values with exponents and timestamps")
    func samples() {
        let text = PrometheusText(parsing: Self.exposition)
        #expect(text.sum("cache_hits_total") == 1520)
        #expect(text.sum("cache_hits_total", matching: ["backend": "redis"]) == 1500)
        #expect(text.sums("cache_errors_total", by: "backend") == ["redis": 5])
        #expect(text.sum("http_requests_total") == 42)
        #expect(text.samples.contains { $0.labels["route"] == #"/odd "quoted" path,{x}"# && $0.labels["status"] == "500" })
        #expect(text.sum("process_start_time_seconds") == 1.7e9)
        #expect(text.sums("jobs_queue_depth", by: "queue") == ["default": 3])
        #expect(text.sum("nan_metric")?.isNaN == true)
        #expect(text.sum("weird") == nil)
        #expect(text.sum("cache_evictions_total") == nil)
    }

    @Test("a line cut off inside the labels is skipped, the rest kept")
    func brokenLines() {
        let text = PrometheusText(parsing: "a_total{x=\"1\" 5\nb_total{x=\"unterminated} 2\nc_total 7\n")
        #expect(text.samples == [PrometheusText.Sample(name: "c_total", labels: [:], value: 7)])
    }
}
