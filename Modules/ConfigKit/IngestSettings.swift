/// The ingest pipeline and URL scraping settings (`INGEST_*`, `SCRAPE_*`).
///
/// The scrape allowlist is kept as written (entries split on commas): its grammar (host names,
/// addresses, CIDR blocks) belongs to CurlKit's SSRF guard, which reports a bad entry when the
/// fetcher is built.
public struct IngestSettings: Sendable, Equatable {
    /// Chunks per embedding request.
    public var batchSize: Int
    /// Embedding requests in flight at once per document.
    public var concurrency: Int
    /// Hosts, addresses and CIDR blocks that `scrape_url` may reach although they are not public.
    public var scrapeAllowlist: [String]
    /// The largest page `scrape_url` downloads, in bytes.
    public var scrapeMaxBytes: Int
    /// How long one `scrape_url` fetch may take, in seconds.
    public var scrapeTimeoutSeconds: Int
}

extension SettingVariable {
    /// The ingest block of ``all``.
    static let ingest: [SettingVariable] = [
        .init("INGEST_BATCH_SIZE", "100", "chunks per embedding request while ingesting (Gemini takes at most 100)"),
        .init("INGEST_CONCURRENCY", "4", "embedding requests in flight at once for one document; throughput grows with it up to the provider's limit"),
        .init("SCRAPE_ALLOWLIST", "", "comma-separated hosts, addresses or CIDR blocks scrape_url may reach although private (e.g. wiki.internal,10.20.0.0/16); empty means public internet only"),
        .init("SCRAPE_MAX_BYTES", "10485760", "largest page scrape_url downloads, in bytes"),
        .init("SCRAPE_TIMEOUT_SECONDS", "30", "how long one scrape_url fetch may take, redirects included"),
    ]
}

extension Validation {
    mutating func ingestSettings() -> IngestSettings {
        IngestSettings(
            batchSize: integer("INGEST_BATCH_SIZE", in: 1...100),
            concurrency: integer("INGEST_CONCURRENCY", in: 1...64),
            scrapeAllowlist: text("SCRAPE_ALLOWLIST").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            scrapeMaxBytes: integer("SCRAPE_MAX_BYTES", in: 1024...1_073_741_824),
            scrapeTimeoutSeconds: integer("SCRAPE_TIMEOUT_SECONDS", in: 1...3600)
        )
    }
}
