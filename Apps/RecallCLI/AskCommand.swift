import ArgumentParser
import ChatKit
import Foundation

/// `recall ask`: one question through the chat engine, as `POST /api/v1/chat` would answer it.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question from the documents, with its sources.",
        discussion: """
            Talks to the configured backends directly (DATABASE_URL, EMBEDDING_PROVIDER, \
            CHAT_PROVIDER, the response cache), not to a running recall-server; answers go through \
            the same cache as the server's, so a cached answer is reported as such.

            Exit status: 0 answered; 2 bad question or model; 69 retrieval or generation failed; \
            78 configuration invalid.

            Example:
              recall ask "How do I request time off?" --session 42 --json
            """
    )

    @Argument(help: "The question.") var question: String
    @Option(name: .long, help: "Chat session the answer belongs to (part of the cache key).") var session: String?
    @Option(name: .long, help: "Model to answer with (default: CHAT_MODEL).") var model: String?
    @Option(name: .long, help: "Tenant whose documents to search (default: the default tenant).") var tenant: String?
    @Option(name: .long, help: "normal, refresh (recompute and overwrite) or bypass (no cache at all).")
    var cache: String = ChatCachePolicy.normal.rawValue
    @OptionGroup var options: CommonOptions

    func validate() throws {
        guard ChatCachePolicy(rawValue: cache) != nil else {
            throw ValidationError("--cache \(cache) is unknown; use normal, refresh or bypass")
        }
    }

    func run() async throws {
        let backends = try await ChatBackends.open(envFile: options.envFile, command: "ask", withCache: true)
        let asked = ChatQuestion(question: question, sessionID: session, model: model, tenant: tenant,
                                 cachePolicy: ChatCachePolicy(rawValue: cache) ?? .normal)
        let reply = try await backends.run(command: "ask") { try await $0.answer(asked) }
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
        print("\n\(reply.cached ? "from the cache" : "computed now") · model \(reply.model) · key \(reply.cacheKey)")
    }
}
