import ArgumentParser
import Foundation
import VectorStoreKit

/// `recall search`: the chunks a question would be answered from, without generating anything.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Show the document chunks nearest to a query.",
        discussion: """
            Embeds the query with RETRIEVAL_QUERY and searches the configured store (DATABASE_URL) \
            directly, scoped to one tenant; nothing is generated or cached.

            Exit status: 0 searched (even with no hits); 2 bad query; 69 retrieval failed; \
            78 configuration invalid.

            Example:
              recall search "expense report deadline" --k 3 --json
            """
    )

    /// One hit of the `--json` output.
    struct Hit: Encodable {
        let documentID: Int64
        let chunkID: Int64
        let title: String
        let source: String
        let chunk: Int
        let score: Double
        let content: String

        init(_ hit: SearchHit) {
            documentID = hit.documentID
            chunkID = hit.chunkID
            title = hit.title
            source = hit.source
            chunk = hit.ordinal
            score = hit.score
            content = hit.content
        }

        enum CodingKeys: String, CodingKey {
            case documentID = "document_id"
            case chunkID = "chunk_id"
            case title, source, chunk, score, content
        }
    }

    @Argument(help: "The query.") var query: String
    @Option(name: .long, help: "How many chunks to show, 1 to 100.") var k = 5
    @Option(name: .long, help: "Tenant whose documents to search (default: the default tenant).") var tenant: String?
    @OptionGroup var options: CommonOptions

    func validate() throws {
        guard (1...100).contains(k) else { throw ValidationError("--k must be from 1 to 100") }
    }

    func run() async throws {
        let backends = try await ChatBackends.open(envFile: options.envFile, command: "search", withCache: false)
        let hits = try await backends.run(command: "search") { try await $0.search(query: query, k: k, tenant: tenant) }
        if options.json {
            printJSON(hits.map(Hit.init))
            return
        }
        if hits.isEmpty { print("no chunks found") }
        for (index, hit) in hits.enumerated() {
            print("\(index + 1). \(String(format: "%.3f", hit.score))  \(hit.title) (document \(hit.documentID), chunk \(hit.ordinal))  \(hit.source)")
            let folded = hit.content.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            print("   \(folded.count > 200 ? String(folded.prefix(200)) + "…" : folded)")
        }
    }
}
