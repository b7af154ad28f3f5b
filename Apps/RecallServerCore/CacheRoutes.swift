import CacheKit
import Foundation
import Hummingbird

/// The cache's routes: stats for everyone, and the admin routes (invalidate, clear, warm) behind
/// `ADMIN_TOKEN`.
struct CacheRoutes {
    static let maxWarmQuestions = 1000

    let cache: ResponseCache
    let chat: any ChatService
    let admin: AdminGuard
    /// `CHAT_MAX_QUESTION_CHARS`.
    let maxQuestionCharacters: Int

    struct InvalidateBody: Decodable {
        var pattern: String?
        var model: String?
        var sessionID: String?
        var tenant: String?

        enum CodingKeys: String, CodingKey {
            case pattern, model, tenant
            case sessionID = "session_id"
        }
    }

    struct WarmBody: Decodable {
        var questions: [String]?
        var ttl: Int?
        var model: String?
        var tenant: String?
    }

    struct Deleted: Encodable {
        let deleted: Int
    }

    func register(on group: RouterGroup<RecallRequestContext>, routes: RouteRegistry) {
        routes.add(.get, "/api/v1/cache/stats")
        group.get("/cache/stats") { _, _ in try JSONBody.response(await cache.statsReport()) }
        routes.add(.post, "/api/v1/cache/invalidate")
        group.post("/cache/invalidate") { request, context in try await invalidate(request, context) }
        routes.add(.delete, "/api/v1/cache")
        group.delete("/cache") { request, context in try await clear(request, context) }
        routes.add(.post, "/api/v1/cache/warm")
        group.post("/cache/warm") { request, context in try await warm(request, context) }
    }

    func invalidate(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        try admin.check(request)
        let body = try await JSONBody.decode(InvalidateBody.self, from: request, context: context)
        let layout = cache.chatKeys
        let selectors: [(String, String)] = [
            body.pattern.map { ("pattern", $0) }, body.model.map { ("model", layout.pattern(model: $0)) },
            body.sessionID.map { ("session_id", layout.pattern(session: $0)) },
            body.tenant.map { ("tenant", layout.pattern(tenant: $0)) },
        ].compactMap { $0 }
        guard selectors.count == 1, let (field, pattern) = selectors.first else {
            throw APIError.badRequest("send exactly one of `pattern`, `model`, `session_id` or `tenant`")
        }
        guard !pattern.isEmpty else { throw APIError.badRequest("`\(field)` is empty") }
        let deleted = try await removing(context) { try await cache.backend.invalidate(pattern: pattern) }
        context.logger.notice("cache invalidated", metadata: ["cache.selector": "\(field)", "cache.deleted": "\(deleted)"])
        return try JSONBody.response(Deleted(deleted: deleted))
    }

    func clear(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        try admin.check(request)
        let deleted = try await removing(context) { try await cache.backend.clear() }
        context.logger.notice("cache cleared", metadata: ["cache.deleted": "\(deleted)"])
        return try JSONBody.response(Deleted(deleted: deleted))
    }

    func warm(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        try admin.check(request)
        let body = try await JSONBody.decode(WarmBody.self, from: request, context: context)
        guard let questions = body.questions, !questions.isEmpty else {
            throw APIError.badRequest("send {\"questions\": [\"...\"]} with at least one question")
        }
        guard questions.count <= Self.maxWarmQuestions else {
            throw APIError.badRequest("at most \(Self.maxWarmQuestions) questions per request (got \(questions.count))")
        }
        let cleaned = try questions.map { try ChatRoutes.question($0, field: "questions[]", limit: maxQuestionCharacters) }
        if let ttl = body.ttl, !(1...31_536_000).contains(ttl) {
            throw APIError.badRequest("`ttl` must be from 1 to 31536000 seconds (got \(ttl))")
        }
        let model = try ChatRoutes.name(body.model, field: "model")
        let report = await chat.warm(cleaned, model: model, tenant: body.tenant ?? "", ttl: body.ttl.map { .seconds($0) })
        return try JSONBody.response(report)
    }

    /// Removals need the shared store: while Redis is away they would only clear this process,
    /// so they answer 503 and the caller retries.
    private func removing(_ context: RecallRequestContext, _ work: () async throws -> Int) async throws -> Int {
        do {
            return try await work()
        } catch let error as CacheError {
            context.logger.warning("cache removal failed", metadata: ["error": "\(error)"])
            throw APIError.unavailable("the shared cache does not answer, so nothing was removed; retry when Redis is back")
        }
    }
}
