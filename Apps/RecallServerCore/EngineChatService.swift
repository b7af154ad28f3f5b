import CacheKit
import ChatKit
import Logging

/// ChatKit's engine behind the server's ``ChatService``: answers and searches go to the engine;
/// warming asks it for each question that is not cached yet.
struct EngineChatService: ChatService {
    let engine: ChatEngine
    let cache: ResponseCache
    let logger: Logger

    func answer(_ question: ChatQuestion) async throws -> ChatReply {
        try await engine.answer(question)
    }

    func search(query: String, k: Int, tenant: String) async throws -> [ChatSource] {
        try await engine.search(query: query, k: k, tenant: tenant).map { ChatSource(hit: $0) }
    }

    func warm(_ questions: [String], model: String?, tenant: String, ttl: Duration?) async -> ChatWarmReport {
        var report = ChatWarmReport()
        let model = model ?? engine.defaultModel
        for question in questions {
            // The engine's key: the default tenant is `default` in keys (ChatKit's TenantScope).
            let keyTenant = tenant.isEmpty || tenant == "default" ? "default" : tenant
            let key = cache.chatKeys.key(for: ChatCacheKey(question: question, model: model), tenant: keyTenant,
                                         generation: await cache.generation())
            do {
                if try await cache.backend.exists(key) {
                    report.skipped += 1
                    continue
                }
                _ = try await engine.answer(ChatQuestion(question: question, model: model, tenant: tenant, cachePolicy: .refresh))
                // The engine stores with the configured TTL; a warm request may ask for another.
                if let ttl, let stored = try await cache.backend.get(key) {
                    try await cache.backend.set(key, value: stored, ttl: ttl)
                }
                report.warmed += 1
            } catch {
                logger.warning("warming a question failed", metadata: ["error": "\(error)"])
                report.failed += 1
            }
        }
        return report
    }
}
