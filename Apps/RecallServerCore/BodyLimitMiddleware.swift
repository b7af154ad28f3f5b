import Hummingbird

/// Sets the body limit of every request by its route — `INGEST_MAX_BYTES` on the ingest routes,
/// `MAX_BODY_BYTES` everywhere else — and refuses at once a `Content-Length` above it. Bodies
/// without a length are cut at the limit when a route reads them (413 either way).
///
/// The ingest routes check the length themselves, so that their refusals are counted in
/// `ingest_requests_total{status="rejected"}`.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = RecallRequestContext
    let maxBodyBytes: Int
    let ingestMaxBytes: Int

    static let ingestPrefix = "/api/v1/ingest"

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let isIngest = request.uri.path.hasPrefix(Self.ingestPrefix)
        context.bodyLimit = isIngest ? ingestMaxBytes : maxBodyBytes
        context.bodyLimitSetting = isIngest ? "INGEST_MAX_BYTES" : "MAX_BODY_BYTES"
        if !isIngest, let length = request.headers[.contentLength].flatMap({ Int($0) }), length > context.bodyLimit {
            throw APIError.tooLarge(limit: context.bodyLimit, setting: context.bodyLimitSetting)
        }
        return try await next(request, context)
    }
}
