import ArgumentParser
import ChatKit
import Foundation
import VectorStoreKit

/// `recall search`: the chunks a question would be answered from, without generating anything.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Show the document chunks nearest to a query.",
        discussion: """
            Embeds the query with RETRIEVAL_QUERY and searches the configured store (DATABASE_URL) \
            directly, scoped to one tenant; nothing is generated or cached. With --server URL the \
            query goes to that recall-server's POST /api/v1/search (k at most 50), whose hits are \
            the API's sources: --json then prints document_id, title, chunk, score and snippet \
            (the API has no chunk_id, source or full content).

            Exit status: 0 searched (even with no hits); 1 the server refused; 2 bad query; 69 \
            retrieval or the server failed; 78 configuration invalid.

            Examples:
              recall search "expense report deadline" --k 3 --json
              recall search "expense report deadline" --server http://127.0.0.1:8000
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
    @OptionGroup var remote: ServerOptions

    /// The body of `POST /api/v1/search`, and its answer.
    struct SearchBody: Encodable {
        let query: String
        let k: Int
    }

    struct SearchResults: Decodable {
        let results: [ChatSource]
    }

    func validate() throws {
        guard (1...100).contains(k) else { throw ValidationError("--k must be from 1 to 100") }
        if remote.url != nil, k > 50 { throw ValidationError("--k must be from 1 to 50 with --server (the API's limit)") }
    }

    func run() async throws {
        if let server = try RemoteServer.open(remote, envFile: options.envFile, command: "search", tenant: tenant) {
            let (found, _) = try await server.call(.post, "/api/v1/search", access: .client, body: SearchBody(query: query, k: k),
                                                   as: SearchResults.self)
            await server.shutdown()
            if options.json {
                printJSON(found.results)
                return
            }
            if found.results.isEmpty { print("no chunks found") }
            for (index, source) in found.results.enumerated() {
                print("\(index + 1). \(String(format: "%.3f", source.score))  \(source.title) (document \(source.documentID), chunk \(source.chunk))")
                print("   \(source.snippet)")
            }
            return
        }
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
