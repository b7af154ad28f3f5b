import ChatKit
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /api/v1/chat` and `POST /api/v1/search`.
struct ChatRoutes {
    static let maxNameCharacters = 200
    static let cacheHeader = HTTPField.Name("X-Cache")!

    let chat: any ChatService
    /// `CHAT_MAX_QUESTION_CHARS`.
    let maxQuestionCharacters: Int
    /// Cached answers are served many times: their JSON is kept.
    let cachedReplies = ReplyEncodings()

    struct ChatBody: Decodable {
        var question: String?
        var sessionID: String?
        var model: String?

        enum CodingKeys: String, CodingKey {
            case question
            case sessionID = "session_id"
            case model
        }

        /// The body from an object of strings (``FlatJSONObject``); other members are ignored,
        /// as `JSONDecoder` ignores them.
        init(members: [String: String?]) {
            question = members[CodingKeys.question.rawValue] ?? nil
            sessionID = members[CodingKeys.sessionID.rawValue] ?? nil
            model = members[CodingKeys.model.rawValue] ?? nil
        }

        /// The body of `request`: the common shape read directly, anything else by `JSONDecoder`.
        static func read(from request: Request, context: RecallRequestContext) async throws -> ChatBody {
            let buffer = try await JSONBody.body(of: request, context: context)
            if let members = FlatJSONObject.members(of: buffer) { return ChatBody(members: members) }
            return try JSONBody.decode(ChatBody.self, from: buffer)
        }
    }

    struct SearchBody: Decodable {
        var query: String?
        var k: Int?
    }

    struct SearchResults: Encodable {
        let results: [ChatSource]
    }

    func register(on group: RouterGroup<RecallRequestContext>, routes: RouteRegistry) {
        routes.add(.post, "/api/v1/chat")
        group.post("/chat") { request, context in try await chat(request, context) }
        routes.add(.post, "/api/v1/search")
        group.post("/search") { request, context in try await search(request, context) }
    }

    func chat(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        let body = try await ChatBody.read(from: request, context: context)
        let question = try Self.question(body.question, field: "question", limit: maxQuestionCharacters)
        let session = try Self.name(body.sessionID, field: "session_id")
        let model = try Self.name(body.model, field: "model")
        let asked = ChatQuestion(question: question, sessionID: session, model: model, tenant: context.tenant,
                                            cachePolicy: Self.cachePolicy(request.headers[.cacheControl]))
        let reply = try await answering(context) { try await chat.answer(asked) }
        guard reply.cached else { return try JSONBody.response(reply, headers: [Self.cacheHeader: "MISS"]) }
        return JSONBody.raw(try cachedReplies.body(of: reply), headers: [Self.cacheHeader: "HIT"])
    }

    func search(_ request: Request, _ context: RecallRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(SearchBody.self, from: request, context: context)
        let query = try Self.question(body.query, field: "query", limit: maxQuestionCharacters)
        let k = body.k ?? 5
        guard (1...50).contains(k) else { throw APIError.badRequest("`k` must be from 1 to 50 (got \(k))") }
        let hits = try await answering(context) { try await chat.search(query: query, k: k, tenant: context.tenant) }
        return try JSONBody.response(SearchResults(results: hits))
    }

    /// Runs the engine; its failures (a model or embedding service that does not answer) become
    /// 503 without their details, which go to the log.
    private func answering<T>(_ context: RecallRequestContext, _ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as APIError {
            throw error
        } catch let error as ChatError {
            // ChatKit's messages are free of secrets and say what to change.
            if error.httpStatus >= 500 { context.logger.error("answering failed", metadata: ["error": "\(error)"]) }
            throw APIError(HTTPResponse.Status(code: error.httpStatus), code: error.code, error.message)
        } catch {
            context.logger.error("answering failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: "generation_failed",
                           "the answer could not be computed now; retry later (request id \(context.requestID))")
        }
    }

    static func question(_ value: String?, field: String, limit: Int) throws -> String {
        guard let value else { throw APIError.badRequest("the field `\(field)` is missing: send {\"\(field)\": \"...\"}") }
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw APIError.badRequest("`\(field)` is empty: ask something") }
        guard trimmed.hasAtMost(limit) else {
            throw APIError.badRequest("`\(field)` has \(trimmed.count) characters; the most is \(limit) (CHAT_MAX_QUESTION_CHARS)")
        }
        return trimmed
    }

    static func name(_ value: String?, field: String) throws -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard value.hasAtMost(maxNameCharacters) else {
            throw APIError.badRequest("`\(field)` has \(value.count) characters; the most is \(maxNameCharacters)")
        }
        return value
    }

    /// `no-store` wins over `no-cache`: a caller that forbids storing must not have it stored.
    static func cachePolicy(_ header: String?) -> ChatCachePolicy {
        guard let header, !header.isEmpty else { return .normal }
        let directives = header.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if directives.contains("no-store") { return .bypass }
        if directives.contains("no-cache") { return .refresh }
        return .normal
    }
}
