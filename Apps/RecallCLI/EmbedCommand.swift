import AppSupport
import ArgumentParser
import ConfigKit
import EmbeddingsKit
import Foundation

struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed a text with the configured provider and print the vector.",
        discussion: """
            Uses the same .env as the server: Gemini (gemini-embedding-001) when EMBEDDING_PROVIDER
            is gemini, the offline lexical provider otherwise. The vector is unit length.

            Example:
              recall embed "How do I request time off?" --dim 768 --task RETRIEVAL_QUERY --json
            """
    )

    @Argument(help: "The text to embed.") var text: String
    @Option(help: "Dimensions: 768, 1536 or 3072 (default: EMBEDDING_DIM).") var dim: Int?
    @Option(help: "Task type, e.g. RETRIEVAL_QUERY or RETRIEVAL_DOCUMENT.") var task = "RETRIEVAL_QUERY"
    @Option(help: "Title of the document (RETRIEVAL_DOCUMENT only).") var title: String?
    @Option(name: .long, help: "Path of the .env file to read (default: ./.env, or ENV_FILE).") var envFile: String?
    @Flag(help: "Print JSON: {\"model\", \"dimensions\", \"task\", \"norm\", \"values\"}.") var json = false

    func validate() throws {
        if let dim, ![768, 1536, 3072].contains(dim) {
            throw ValidationError("--dim \(dim) is not allowed: gemini-embedding-001 takes 768, 1536 or 3072")
        }
        guard EmbeddingTask(rawValue: task.uppercased()) != nil else {
            throw ValidationError("--task \(task) is unknown; use one of \(EmbeddingTask.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        var settings = ProgramStart.loadSettings(envFile: envFile, program: "recall").settings
        if let dim { settings.embeddingDimensions = dim }
        let taskType = EmbeddingTask(rawValue: task.uppercased())!
        let provider: any EmbeddingProvider
        let vector: [Float]
        do {
            provider = try EmbeddingProviderFactory.make(settings: settings, cache: nil)
            vector = try await provider.embed(text, task: taskType, title: taskType.acceptsTitle ? title : nil)
        } catch {
            FileHandle.standardError.write(Data("recall embed: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let norm = sqrt(vector.reduce(Float(0)) { $0 + $1 * $1 })
        if json {
            let output = EmbedOutput(model: provider.model, dimensions: vector.count, task: taskType.rawValue, norm: norm, values: vector)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            let head = vector.prefix(8).map { String(format: "%.5f", $0) }.joined(separator: ", ")
            print("model \(provider.model), \(vector.count) dimensions, task \(taskType.rawValue), norm \(String(format: "%.6f", norm))")
            print("[\(head)\(vector.count > 8 ? ", …" : "")]")
        }
    }
}

/// The `--json` output of `recall embed`.
struct EmbedOutput: Encodable {
    let model: String
    let dimensions: Int
    let task: String
    let norm: Float
    let values: [Float]
}
