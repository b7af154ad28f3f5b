import CurlKit
import Foundation
import Hummingbird
import IngestKit
import JobsKit
import Logging
import MetricsKit
import NIOCore

/// `POST /api/v1/ingest` (a file) and `POST /api/v1/ingest/url`: validate, count, enqueue.
///
/// Nothing is stored for a refused request, and every request is counted in
/// `ingest_requests_total{status}` and timed in `ingest_latency_seconds{status}` — refusals
/// included, which is why the routes check the body size themselves.
struct IngestRoutes {
    let queue: any JobQueue
    let metrics: RecallMetrics
    let maxBytes: Int
    let urlPolicy: URLPolicy

    struct DocumentBody: Decodable {
        var filename: String?
        var contentType: String?
        var content: String?
        var contentEncoding: String?

        enum CodingKeys: String, CodingKey {
            case filename, content
            case contentType = "content_type"
            case contentEncoding = "content_encoding"
        }
    }

    struct URLBody: Decodable {
        var url: String?
        var options: ScrapeURLPayload.Options?
    }

    struct Accepted: Encodable {
        let jobID: String
        let status = "queued"

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id"
            case status
        }
    }

    /// A document as received, before it is queued.
    struct Upload {
        var filename: String
        var contentType: String
        var bytes: Data
    }

    func register(on group: RouterGroup<RecallRequestContext>, routes: RouteRegistry) {
        routes.add(.post, "/api/v1/ingest")
        group.post("/ingest") { request, context in
            try await counted(context) { try await ingestFile(request, context) }
        }
        routes.add(.post, "/api/v1/ingest/url")
        group.post("/ingest/url") { request, context in
            try await counted(context) { try await ingestURL(request, context) }
        }
    }

    private func counted(_ context: RecallRequestContext, _ work: () async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await work()
            metrics.ingest.record(.accepted, latency: .now - start)
            return response
        } catch {
            metrics.ingest.record(.rejected, latency: .now - start)
            throw error
        }
    }

    func ingestFile(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        let upload = try await readUpload(request, context)
        let logFields: Logger.Metadata = [
            "ingest.filename": "\(upload.filename)", "ingest.content_type": "\(upload.contentType)",
            "ingest.size_bytes": "\(upload.bytes.count)",
        ]
        guard let format = DocumentFormat(contentType: upload.contentType)
            ?? (Self.isGeneric(upload.contentType) ? DocumentFormat(filename: upload.filename) : nil) else {
            context.logger.info("ingest refused: unsupported type", metadata: logFields)
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                           "\(upload.contentType.prefix(100)) documents cannot be ingested; send one of \(DocumentFormat.supportedContentTypes)")
        }
        guard upload.bytes.count <= maxBytes else { throw APIError.tooLarge(limit: maxBytes, setting: "INGEST_MAX_BYTES") }
        guard !upload.bytes.isEmpty else { throw APIError.badRequest("the document is empty") }
        var metadata: [String: String] = [:]
        if !context.tenant.isEmpty { metadata["tenant"] = context.tenant }
        let ingestID = UUID().uuidString.lowercased()
        let document = ProcessDocumentPayload.DocumentData(filename: upload.filename, contentType: format.rawValue,
                                                           bytes: upload.bytes, metadata: metadata)
        let jobID = try await enqueue(TaskName.processDocument, ProcessDocumentPayload(jobID: ingestID, documentData: document),
                                      key: "ingest:\(ingestID)", context: context)
        context.logger.info("ingest queued", metadata: logFields.merging(["job.id": "\(jobID)"]) { $1 })
        return try JSONBody.response(Accepted(jobID: jobID), status: .accepted)
    }

    func ingestURL(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(URLBody.self, from: request, context: context)
        guard let url = body.url?.trimmingCharacters(in: .whitespaces), !url.isEmpty else {
            throw APIError.badRequest("the field `url` is missing: send {\"url\": \"https://...\"}")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw APIError.badRequest("`url` is not a URL; send an absolute http:// or https:// URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw APIError.badRequest("`url` uses the scheme \(scheme.prefix(20)); only http and https URLs can be ingested")
        }
        guard components.user == nil, components.password == nil else {
            throw APIError.badRequest("`url` carries credentials; job records are readable by operators, so send a URL without user:password@")
        }
        do {
            try await Self.vet(url, policy: urlPolicy)
        } catch let error as HTTPClientError {
            throw APIError.badRequest("`url` cannot be fetched: \(error.message)")
        }
        var options = body.options ?? ScrapeURLPayload.Options()
        if !context.tenant.isEmpty { options.metadata = (options.metadata ?? [:]).merging(["tenant": context.tenant]) { $1 } }
        let ingestID = UUID().uuidString.lowercased()
        let jobID = try await enqueue(TaskName.scrapeURL, ScrapeURLPayload(jobID: ingestID, url: url, options: options),
                                      key: "scrape:\(ingestID)", context: context)
        context.logger.info("ingest of a URL queued", metadata: ["ingest.host": "\(components.host ?? "")", "job.id": "\(jobID)"])
        return try JSONBody.response(Accepted(jobID: jobID), status: .accepted)
    }

    /// The SSRF guard resolves the host: on a thread of its own, not the server's.
    private static func vet(_ url: String, policy: URLPolicy) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                continuation.resume(with: Result { () throws(HTTPClientError) in try policy.vet(url) })
            }.start()
        }
    }

    private func enqueue(_ type: String, _ payload: some Encodable, key: String, context: RecallRequestContext) async throws -> String {
        do {
            return try await queue.enqueue(type: type, payload: payload, idempotencyKey: key)
        } catch {
            context.logger.error("enqueue failed", metadata: ["error": "\(error)", "job.type": "\(type)"])
            throw APIError.unavailable("the job queue does not answer; nothing was stored, retry later")
        }
    }

    /// The upload from a multipart form (`file` field) or a JSON body.
    private func readUpload(_ request: Request, _ context: RecallRequestContext) async throws -> Upload {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > context.bodyLimit {
            throw APIError.tooLarge(limit: context.bodyLimit, setting: "INGEST_MAX_BYTES")
        }
        let contentType = request.headers[.contentType] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            guard let boundary = MultipartForm.boundary(in: contentType) else {
                throw APIError.badRequest("the multipart/form-data content type has no boundary")
            }
            let buffer = try await request.body.collect(upTo: context.bodyLimit)
            guard let form = MultipartForm(body: Data(buffer: buffer), boundary: boundary) else {
                throw APIError.badRequest("the multipart/form-data body cannot be read; send the document in a part named `file`")
            }
            guard let file = form.parts.first(where: { $0.name == "file" }) else {
                throw APIError.badRequest("the form has no `file` field; send the document as file=@path")
            }
            return Upload(filename: file.filename ?? "upload", contentType: file.contentType ?? "application/octet-stream",
                          bytes: file.data)
        }
        let body = try await JSONBody.decode(DocumentBody.self, from: request, context: context)
        guard let filename = body.filename, !filename.isEmpty else { throw APIError.badRequest("the field `filename` is missing") }
        guard let content = body.content else { throw APIError.badRequest("the field `content` is missing") }
        let bytes: Data
        switch body.contentEncoding?.lowercased() ?? "text" {
        case "text":
            bytes = Data(content.utf8)
        case "base64":
            guard let decoded = Data(base64Encoded: content, options: .ignoreUnknownCharacters) else {
                throw APIError.badRequest("`content` is not valid base64")
            }
            bytes = decoded
        case let other:
            throw APIError.badRequest("`content_encoding` is \(other.prefix(20)); use text or base64")
        }
        return Upload(filename: filename, contentType: body.contentType ?? "application/octet-stream", bytes: bytes)
    }

    /// Content types that say nothing about the format, so the file name's extension decides.
    static func isGeneric(_ contentType: String) -> Bool {
        let essence = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return essence.isEmpty || essence == "application/octet-stream"
    }
}
