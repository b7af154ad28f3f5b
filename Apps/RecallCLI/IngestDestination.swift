import AppSupport
import ArgumentParser
import ConfigKit
import CurlKit
import Foundation
import JobsKit
import Logging
import RedisKit

/// Where `recall ingest` (without `--direct`) puts its jobs and reads them back: the broker's
/// queue directly, or a recall-server's ingest and jobs API.
protocol IngestDestination: Sendable {
    /// Names the queue in messages (no credentials).
    var name: String { get }
    /// Queues a process_document job for one file; returns the job id.
    func enqueue(file: String, contentType: String, bytes: Data) async throws -> String
    /// Queues a scrape_url job; returns the job id.
    func enqueue(url: String) async throws -> String
    /// The job's record, or nil when there is none (expired, purged, never existed).
    func record(id: String) async throws -> JobRecord?
    func close() async
}

/// The queue in BROKER_URL (or REDIS_URL) that recall-worker reads.
struct BrokerIngestDestination: IngestDestination {
    let redis: RedisClient
    let queue: RedisStreamsQueue
    let name: String
    let metadata: [String: String]

    init(settings: Settings, tenant: String) throws {
        guard let broker = settings.jobs.broker else {
            throw CommandOutput.configurationError("ingest", "no job queue: set BROKER_URL or REDIS_URL to the Redis recall-worker reads, or use --direct")
        }
        var logger = Logger(label: "recall.ingest")
        logger.logLevel = .warning
        do {
            redis = RedisClient(configuration: try RedisConfiguration(url: broker.url, poolSize: 2), logger: logger)
        } catch {
            throw CommandOutput.configurationError("ingest", "the job broker URL cannot be used: \(error)")
        }
        queue = RedisStreamsQueue(redis: redis, keyPrefix: settings.jobs.keyPrefix, logger: logger)
        name = "\(broker)"
        metadata = tenant.isEmpty ? [:] : ["tenant": tenant]
    }

    func enqueue(file: String, contentType: String, bytes: Data) async throws -> String {
        let payload = ProcessDocumentPayload(jobID: UUID().uuidString, documentData: .init(
            filename: file, contentType: contentType, bytes: bytes, metadata: metadata))
        return try await queue.enqueue(type: TaskName.processDocument, payload: payload)
    }

    func enqueue(url: String) async throws -> String {
        let payload = ScrapeURLPayload(jobID: UUID().uuidString, url: url, options: .init(metadata: metadata.isEmpty ? nil : metadata))
        return try await queue.enqueue(type: TaskName.scrapeURL, payload: payload)
    }

    func record(id: String) async throws -> JobRecord? {
        try await queue.record(id: id)
    }

    func close() async {
        await redis.shutdown()
    }
}

/// A recall-server: POST /api/v1/ingest (the file as base64 JSON), POST /api/v1/ingest/url and
/// GET /api/v1/jobs/{id}. The tenant is the API key's.
struct ServerIngestDestination: IngestDestination {
    let server: RemoteServer
    var name: String { server.client.base }

    struct DocumentBody: Encodable {
        let filename: String
        let contentType: String
        let content: String
        let contentEncoding = "base64"

        enum CodingKeys: String, CodingKey {
            case filename, content
            case contentType = "content_type"
            case contentEncoding = "content_encoding"
        }
    }

    struct Accepted: Decodable {
        let jobID: String

        enum CodingKeys: String, CodingKey { case jobID = "job_id" }
    }

    func enqueue(file: String, contentType: String, bytes: Data) async throws -> String {
        let body = DocumentBody(filename: file, contentType: contentType, content: bytes.base64EncodedString())
        return try await server.call(.post, "/api/v1/ingest", access: .client, body: body, as: Accepted.self).reply.jobID
    }

    func enqueue(url: String) async throws -> String {
        try await server.call(.post, "/api/v1/ingest/url", access: .client, body: ["url": url], as: Accepted.self).reply.jobID
    }

    func record(id: String) async throws -> JobRecord? {
        let path = "/api/v1/jobs/\(RemoteServer.pathSegment(id))"
        let response: HTTPResponse
        do {
            response = try await server.client.send(.get, path, access: .client)
        } catch {
            throw server.report(error, access: .client)
        }
        // A record that expired while we waited is an outcome to report, not a failure.
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw server.report(RecallServerError(response), access: .client) }
        return try server.decode(JobRecord.self, from: response, what: "GET \(path)")
    }

    func close() async {
        await server.shutdown()
    }
}
