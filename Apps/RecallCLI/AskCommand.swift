import ArgumentParser
import ChatKit
import CurlKit
import Foundation

/// `recall ask`: one question through the chat engine, as `POST /api/v1/chat` would answer it.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question from the documents, with its sources.",
        discussion: """
            Talks to the configured backends directly (DATABASE_URL, EMBEDDING_PROVIDER, \
            CHAT_PROVIDER, the response cache); answers go through the same cache as the server's, \
            so a cached answer is reported as such. With --server URL (or RECALL_SERVER_URL) the \
            question goes to that recall-server's POST /api/v1/chat instead, and the answer's \
            X-Cache (HIT or MISS) is shown; --json prints the same fields either way.

            Exit status: 0 answered; 1 the server refused; 2 bad question or model; 69 retrieval, \
            generation or the server failed; 78 configuration invalid.

            Examples:
              recall ask "How do I request time off?" --session 42 --json
              recall ask "How do I request time off?" --server http://127.0.0.1:8000
            """
    )

    @Argument(help: "The question.") var question: String
    @Option(name: .long, help: "Chat session the answer belongs to (part of the cache key).") var session: String?
    @Option(name: .long, help: "Model to answer with (default: CHAT_MODEL).") var model: String?
    @Option(name: .long, help: "Tenant whose documents to search (default: the default tenant).") var tenant: String?
    @Option(name: .long, help: "normal, refresh (recompute and overwrite) or bypass (no cache at all).")
    var cache: String = ChatCachePolicy.normal.rawValue
    @OptionGroup var options: CommonOptions
    @OptionGroup var remote: ServerOptions

    /// The body of `POST /api/v1/chat`.
    struct ChatBody: Encodable {
        let question: String
        let sessionID: String?
        let model: String?

        enum CodingKeys: String, CodingKey {
            case question, model
            case sessionID = "session_id"
        }
    }

    func validate() throws {
        guard ChatCachePolicy(rawValue: cache) != nil else {
            throw ValidationError("--cache \(cache) is unknown; use normal, refresh or bypass")
        }
    }

    func run() async throws {
        let policy = ChatCachePolicy(rawValue: cache) ?? .normal
        let reply: ChatReply
        var served = ""
        if let server = try RemoteServer.open(remote, envFile: options.envFile, command: "ask", tenant: tenant) {
            // The server reads the policy from Cache-Control, as any HTTP client would send it.
            let directive = [ChatCachePolicy.refresh: "no-cache", .bypass: "no-store"][policy]
            let (answer, response) = try await server.call(
                .post, "/api/v1/chat", access: .client, body: ChatBody(question: question, sessionID: session, model: model),
                headers: directive.map { [HTTPHeader("Cache-Control", $0)] } ?? [], as: ChatReply.self)
            await server.shutdown()
            reply = answer
            served = response.headers.value(for: "X-Cache").map { " · X-Cache \($0)" } ?? ""
        } else {
            let backends = try await ChatBackends.open(envFile: options.envFile, command: "ask", withCache: true)
            let asked = ChatQuestion(question: question, sessionID: session, model: model, tenant: tenant, cachePolicy: policy)
            reply = try await backends.run(command: "ask") { try await $0.answer(asked) }
        }
        if options.json {
            printJSON(reply)
            return
        }
        print(reply.answer)
        if !reply.sources.isEmpty {
            print("\nSources:")
            for (index, source) in reply.sources.enumerated() {
                print("  [\(index + 1)] \(source.title) (document \(source.documentID), chunk \(source.chunk), score \(String(format: "%.3f", source.score)))")
                print("      \(source.snippet)")
            }
        }
        print("\n\(reply.cached ? "from the cache" : "computed now") · model \(reply.model) · key \(reply.cacheKey)\(served)")
    }
}
