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

            Without --server, warming stores only answers it is given, never invented ones. With \
            --server URL, FILE is a JSON array of question strings instead, and that recall-server \
            computes and caches their answers with its chat engine (POST /api/v1/cache/warm, with \
            ADMIN_TOKEN as its bearer token, at most 1000 questions); in --json, model and \
            generation are then null unless --model is given, since the server chooses them.

            Examples:
              recall cache warm --file faq.json --tenant acme --model gemini-2.5-flash
              recall cache warm --file questions.json --server http://127.0.0.1:8000
            """
    )

    @OptionGroup var options: CacheCommonOptions
    @OptionGroup var remote: ServerOptions
    @Option(name: .long, help: "JSON file of [{\"question\": ..., \"answer\": ...}].") var file: String
    @Option(name: .long, help: "Tenant the answers belong to.") var tenant = "default"
    @Option(name: .long, help: "Model part of the keys (default: CHAT_MODEL).") var model: String?
    @Option(name: .long, help: "Session part of the keys (none by default).") var session = ""
    @Option(name: .long, help: "Seconds the entries live (default: CACHE_TTL_SECONDS).") var ttl: Int?

    func validate() throws {
        if let ttl, ttl < 1 { throw ValidationError("--ttl must be at least 1 second") }
        if remote.url != nil, !session.isEmpty {
            throw ValidationError("--session cannot be used with --server: the server warms answers outside any session")
        }
    }

    struct Pair: Decodable {
        let question: String
        let answer: JSONValue
    }

    struct MissingAnswer: Error {}

    /// What `--json` prints; `model` and `generation` are null when a server chose them.
    struct Output: Encodable {
        let warmed: Int
        let skipped: Int
        let failed: Int
        let tenant: String
        let model: String?
        let generation: Int?

        enum CodingKeys: String, CodingKey { case warmed, skipped, failed, tenant, model, generation }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(warmed, forKey: .warmed)
            try container.encode(skipped, forKey: .skipped)
            try container.encode(failed, forKey: .failed)
            try container.encode(tenant, forKey: .tenant)
            try container.encode(model, forKey: .model)
            try container.encode(generation, forKey: .generation)
        }
    }

    /// The body of `POST /api/v1/cache/warm`, and its answer.
    struct WarmBody: Encodable {
        let questions: [String]
        let ttl: Int?
        let model: String?
        let tenant: String
    }

    struct WarmReport: Decodable {
        let warmed: Int
        let skipped: Int
        let failed: Int
    }

    func run() async throws {
        if let server = try RemoteServer.open(remote, envFile: options.envFile, command: "cache warm") {
            let questions = try Self.readQuestions(file)
            let (report, _) = try await server.call(
                .post, "/api/v1/cache/warm", access: .admin,
                body: WarmBody(questions: questions, ttl: ttl, model: model, tenant: tenant), as: WarmReport.self)
            await server.shutdown()
            try show(Output(warmed: report.warmed, skipped: report.skipped, failed: report.failed, tenant: tenant,
                            model: model, generation: nil))
            return
        }
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
        let progress = ProgressLine(label: "warming", unit: "questions", enabled: !options.json)
        let total = pairs.count
        let report = try await context.run(command: "warm") {
            await warmer.warm(pairs.map(\.question)) { counts in
                progress.update(done: counts.warmed + counts.skipped + counts.failed, total: total)
            }
        }
        progress.finish()
        await cache.shutdown()
        try show(Output(warmed: report.warmed, skipped: report.skipped, failed: report.failed,
                        tenant: tenant, model: model, generation: generation))
    }

    /// Prints the outcome; any failed question makes the command fail.
    private func show(_ output: Output) throws {
        if options.json {
            printJSON(output)
        } else {
            print("warmed \(output.warmed), skipped \(output.skipped) already cached, failed \(output.failed) "
                  + "(tenant \(output.tenant), model \(output.model ?? "the server's"), generation \(output.generation.map(String.init) ?? "the server's"))")
        }
        if output.failed > 0 { throw CacheExit.negative }
    }

    /// The bytes of `path`, or a usage error that names it.
    private static func readFile(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// The questions in `path` (a JSON array of strings), for a server to answer.
    static func readQuestions(_ path: String) throws -> [String] {
        let data = try readFile(path)
        guard let questions = try? JSONDecoder().decode([String].self, from: data), !questions.isEmpty else {
            throw ValidationError("""
                \(path) is not a JSON array of question strings: with --server, the server computes the answers, \
                so give ["question", ...] (answers you already have are warmed without --server)
                """)
        }
        return questions
    }

    /// The pairs in `path`, or an explanation of what the file should hold.
    static func readPairs(_ path: String) throws -> [Pair] {
        let data = try readFile(path)
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
