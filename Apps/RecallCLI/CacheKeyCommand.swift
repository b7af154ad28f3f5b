import ArgumentParser
import CacheKit

/// `recall cache key`: the seed's cache key of a question, without touching any cache.
struct CacheKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print the cache key (32 hex characters) of a question.",
        discussion: """
            The key is sha256("<normalised question>|session:<id>|model:<m>") cut to 32 hex \
            characters, with the session and model parts left out when empty: the same key the \
            Python service computed. Normalised means trimmed, white space folded, lower-cased, NFC.

            Example:
              recall cache key --question "How do I request time off?" --model m1
            """
    )

    @Option(name: .long, help: "The question.")
    var question: String

    @Option(name: .long, help: "The chat session id (none by default).")
    var session = ""

    @Option(name: .long, help: "The model name (none by default).")
    var model = ""

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    struct Output: Encodable {
        let key: String
        let normalizedQuestion: String
        let session: String
        let model: String

        enum CodingKeys: String, CodingKey {
            case key, normalizedQuestion = "normalized_question", session, model
        }
    }

    func run() {
        let chatKey = ChatCacheKey(question: question, sessionID: session, model: model)
        if json {
            printJSON(Output(key: chatKey.hash, normalizedQuestion: chatKey.question, session: session, model: model))
        } else {
            print(chatKey.hash)
        }
    }
}
