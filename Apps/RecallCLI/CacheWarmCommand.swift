import ArgumentParser
import CacheKit
import JobsKit
import Foundation

/// `recall cache warm --file FILE`: store known answers to known questions ahead of demand.
struct CacheWarmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warm",
        abstract: "Pre-fill the cache with answers you already have (a JSON file of question/answer pairs).",
        discussion: """
            FILE is a JSON array of {"question": "...", "answer": <any JSON>}. Each answer is stored \
            under the chat key of its question (tenant, current corpus generation, model, session), \
            unless that key is already cached, with the answer's JSON as the cached value: give \
            answers in the shape the chat engine caches. Questions already cached are skipped.

            Computing answers for a plain list of questions needs the chat engine, which this build \
            does not include yet: warming stores only answers it is given, never invented ones.

            Example:
              recall cache warm --file faq.json --tenant acme --model gemini-2.5-flash
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @Option(name: .long, help: "JSON file of [{\"question\": ..., \"answer\": ...}].") var file: String
    @Option(name: .long, help: "Tenant the answers belong to.") var tenant = "default"
    @Option(name: .long, help: "Model part of the keys (default: CHAT_MODEL).") var model: String?
    @Option(name: .long, help: "Session part of the keys (none by default).") var session = ""
    @Option(name: .long, help: "Seconds the entries live (default: CACHE_TTL_SECONDS).") var ttl: Int?

    func validate() throws {
        if let ttl, ttl < 1 { throw ValidationError("--ttl must be at least 1 second") }
    }

    struct Pair: Decodable {
        let question: String
        let answer: JSONValue
    }

    struct MissingAnswer: Error {}

    struct Output: Encodable {
        let warmed: Int
        let skipped: Int
        let failed: Int
        let tenant: String
        let model: String
        let generation: Int
    }

    func run() async throws {
        let pairs = try Self.readPairs(file)
        let context = try await CacheContext.open(options, command: "warm", needsShared: true)
        let cache = context.cache
        let model = model ?? context.settings.chatModel
        let generation = await cache.generation()
        let (tenant, session, layout) = (tenant, session, cache.chatKeys)
        let answers = Dictionary(pairs.map { ($0.question, $0.answer) }, uniquingKeysWith: { _, last in last })
        let warmer: CacheWarmer<JSONValue> = cache.warmer(
            ttl: ttl.map { .seconds($0) },
            key: { question in
                layout.key(for: ChatCacheKey(question: question, sessionID: session, model: model),
                           tenant: tenant, generation: generation)
            },
            compute: { question in
                guard let answer = answers[question] else { throw MissingAnswer() }
                return answer
            }
        )
        let report = try await context.run(command: "warm") { await warmer.warm(pairs.map(\.question)) }
        await cache.shutdown()
        if options.json {
            printJSON(Output(warmed: report.warmed, skipped: report.skipped, failed: report.failed,
                             tenant: tenant, model: model, generation: generation))
        } else {
            print("warmed \(report.warmed), skipped \(report.skipped) already cached, failed \(report.failed) "
                  + "(tenant \(tenant), model \(model), generation \(generation))")
        }
        if report.failed > 0 { throw CacheExit.negative }
    }

    /// The pairs in `path`, or an explanation of what the file should hold.
    static func readPairs(_ path: String) throws -> [Pair] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode([Pair].self, from: data)
        } catch {
            throw ValidationError("""
                \(path) is not a JSON array of {"question": ..., "answer": ...} pairs. A plain list of \
                questions cannot be warmed by this build: computing answers needs the chat engine.
                """)
        }
    }
}
