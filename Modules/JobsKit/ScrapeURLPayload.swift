/// The payload of ``TaskName/scrapeURL``: the seed's `scrape_url(job_id, url, options)`.
///
/// ```json
/// {"job_id": "…", "url": "https://example.com/handbook", "options": {"max_bytes": 5000000}}
/// ```
///
/// The URL is stored as given: strip credentials from it before enqueueing, because job
/// records are readable by operators.
public struct ScrapeURLPayload: Codable, Sendable, Equatable {
    /// How to fetch the URL; every field is optional, and the fetcher's defaults apply to
    /// those left out.
    public struct Options: Codable, Sendable, Equatable {
        /// The most bytes to download.
        public var maxBytes: Int?
        /// How long the whole fetch may take, in seconds.
        public var timeoutSeconds: Double?
        /// Whether to follow redirects (each one checked against the SSRF guard again).
        public var followRedirects: Bool?
        /// Caller-supplied labels stored with the resulting document.
        public var metadata: [String: String]?

        /// Options with the given fields set.
        public init(
            maxBytes: Int? = nil, timeoutSeconds: Double? = nil, followRedirects: Bool? = nil,
            metadata: [String: String]? = nil
        ) {
            self.maxBytes = maxBytes
            self.timeoutSeconds = timeoutSeconds
            self.followRedirects = followRedirects
            self.metadata = metadata
        }

        enum CodingKeys: String, CodingKey {
            case maxBytes = "max_bytes"
            case timeoutSeconds = "timeout_seconds"
            case followRedirects = "follow_redirects"
            case metadata
        }
    }

    /// The ingest job's id as the API reported it to the caller.
    public var jobID: String
    /// The URL to fetch.
    public var url: String
    /// How to fetch it.
    public var options: Options

    /// A payload for one URL.
    public init(jobID: String, url: String, options: Options = Options()) {
        self.jobID = jobID
        self.url = url
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case url
        case options
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        jobID = try container.decode(String.self, forKey: .jobID)
        url = try container.decode(String.self, forKey: .url)
        options = try container.decodeIfPresent(Options.self, forKey: .options) ?? Options()
    }
}
