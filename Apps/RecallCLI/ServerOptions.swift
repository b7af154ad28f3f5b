import ArgumentParser
import Foundation

/// `--server URL` and `--api-key` of the commands a running recall-server can run for them
/// (ask, search, cache stats/invalidate/clear/warm, jobs list/show, ingest). Commands without a
/// matching route do not offer these options.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Ask the recall-server at this URL instead of Redis, PostgreSQL and Gemini (default: RECALL_SERVER_URL).",
        valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp(
        "API key for a --server with API_KEYS (default: RECALL_API_KEY, else the key of --tenant, or the first, in API_KEYS).",
        valueName: "key"))
    var apiKey: String?

    /// The server to use: `--server`, else `RECALL_SERVER_URL`; nil means work directly.
    var url: String? {
        if let server { return server }
        let value = ProcessInfo.processInfo.environment["RECALL_SERVER_URL"] ?? ""
        return value.isEmpty ? nil : value
    }

    func validate() throws {
        guard let url else { return }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--server (or RECALL_SERVER_URL) must be an http:// or https:// URL, e.g. http://127.0.0.1:8000, not \(url)")
        }
    }
}
