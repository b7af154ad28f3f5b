import ConfigKit
import EmbeddingsKit
import Foundation
import IngestKit
import JobsKit
import Logging
import RecallRuntime
import Testing

/// `scrape_url` as a worker runs it: fetched through the SSRF guard, extracted, ingested.
@Suite("scrape_url")
struct ScrapeTaskTests {
    static let handbook = PageServer.Page(
        contentType: "text/html; charset=utf-8",
        body: "<html><head><title>Travel handbook</title></head><body><p>Book trains for trips under five hours.</p><p>Flights need approval from the budget owner.</p></body></html>")

    /// Runs the queued jobs with a worker in this process until none is left.
    static func drain(_ queue: InProcessQueue, runtime: IngestRuntime) async throws {
        var handlers = JobHandlerRegistry()
        IngestTasks.register(into: &handlers, runtime: runtime)
        let worker = Worker(queue: queue, handlers: handlers,
                            configuration: WorkerConfiguration(concurrency: 1, pollInterval: .milliseconds(20), exitWhenIdle: true),
                            logger: Logger(label: "test-worker"))
        try await worker.run()
    }

    static func runtime(allowlist: String?) async throws -> IngestRuntime {
        var environment = ["EMBEDDING_PROVIDER": "local", "EMBEDDING_DIM": "768"]
        environment["SCRAPE_ALLOWLIST"] = allowlist
        return try await IngestRuntime.open(settings: try settings(environment), corpusChanged: {}, logger: Logger(label: "test"))
    }

    @Test("a page on an allowlisted 127.0.0.1 is fetched, extracted and stored, titled by its <title>")
    func allowlisted() async throws {
        let server = try await PageServer.start(pages: ["/travel.html": Self.handbook])
        let runtime = try await Self.runtime(allowlist: "127.0.0.1")
        let queue = InProcessQueue(options: JobQueueOptions(retry: JobsKit.RetryPolicy(maxAttempts: 1)))
        let id = try await queue.enqueue(type: TaskName.scrapeURL, payload: ScrapeURLPayload(
            jobID: "j1", url: "\(server.baseURL)/travel.html", options: .init(metadata: ["team": "travel"])))
        try await Self.drain(queue, runtime: runtime)
        let record = try #require(try await queue.record(id: id))
        #expect(record.status == .succeeded, "\(record.error ?? "")")
        let report = try JSONDecoder().decode(IngestReport.self, from: try #require(record.result))
        #expect(report.stored && report.title == "Travel handbook")
        #expect(record.progress == 1)
        let query = try await runtime.embedder.embed("flights budget owner approval", task: .retrievalQuery)
        let hits = try await runtime.vectors.store.search(query, k: 1, filter: .init(metadata: ["team": "travel"]))
        #expect(hits.first?.content.contains("Flights need approval") == true)
        #expect(hits.first?.source == "\(server.baseURL)/travel.html")
        await runtime.shutdown()
        await server.stop()
    }

    @Test("by default a private address is refused, permanently, and nothing is stored")
    func privateRefused() async throws {
        let server = try await PageServer.start(pages: ["/travel.html": Self.handbook])
        let runtime = try await Self.runtime(allowlist: nil)
        let queue = InProcessQueue(options: JobQueueOptions(retry: JobsKit.RetryPolicy(maxAttempts: 3)))
        let id = try await queue.enqueue(type: TaskName.scrapeURL, payload: ScrapeURLPayload(jobID: "j2", url: "\(server.baseURL)/travel.html"))
        try await Self.drain(queue, runtime: runtime)
        let record = try #require(try await queue.record(id: id))
        #expect(record.status == .dead || record.status == .failed)
        #expect(record.attempts == 1, "a refusal must not be retried")
        #expect(record.error?.contains("127.0.0.1") == true || record.error?.lowercased().contains("loopback") == true, "\(record.error ?? "")")
        #expect(try await runtime.vectors.store.chunkCount() == 0)
        await runtime.shutdown()
        await server.stop()
    }

    @Test("a page of an unsupported type fails permanently and says which types work")
    func unsupportedType() async throws {
        let server = try await PageServer.start(pages: ["/logo.png": .init(contentType: "image/png", body: "PNG")])
        let runtime = try await Self.runtime(allowlist: "127.0.0.1")
        let queue = InProcessQueue(options: JobQueueOptions(retry: JobsKit.RetryPolicy(maxAttempts: 3)))
        let id = try await queue.enqueue(type: TaskName.scrapeURL, payload: ScrapeURLPayload(jobID: "j3", url: "\(server.baseURL)/logo.png"))
        try await Self.drain(queue, runtime: runtime)
        let record = try #require(try await queue.record(id: id))
        #expect(record.attempts == 1)
        #expect(record.error?.contains("text/html") == true, "\(record.error ?? "")")
        await runtime.shutdown()
        await server.stop()
    }

    @Test("a bad SCRAPE_ALLOWLIST entry stops start-up and names the entry")
    func badAllowlist() async throws {
        do {
            _ = try await Self.runtime(allowlist: "wiki internal")
            Issue.record("a malformed allowlist was accepted")
        } catch {
            #expect("\(error)".contains("SCRAPE_ALLOWLIST"))
            #expect("\(error)".contains("wiki internal"))
        }
    }
}
