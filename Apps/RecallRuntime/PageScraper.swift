import ConfigKit
import CurlKit
import Foundation
import IngestKit
import JobsKit

/// Fetches a user-supplied URL for `scrape_url`, behind the SSRF guard, and turns the response
/// into a document for the pipeline.
///
/// Only public internet addresses are reached, plus what `SCRAPE_ALLOWLIST` lists; redirects are
/// followed (at most five), each hop checked again. Pages larger than `SCRAPE_MAX_BYTES` are
/// aborted mid-transfer.
public final class PageScraper: Sendable {
    private let client: HTTPClient
    private let settings: IngestSettings

    /// - Throws: ``StartupError`` for an allowlist entry that is not a host, address or CIDR block.
    public init(settings: IngestSettings) throws(StartupError) {
        let policy: URLPolicy
        do {
            policy = try URLPolicy.publicInternetOnly(allowing: settings.scrapeAllowlist)
        } catch {
            throw StartupError("SCRAPE_ALLOWLIST: \(error)")
        }
        self.settings = settings
        client = HTTPClient(configuration: HTTPClientConfiguration(
            concurrency: 2, timeout: .seconds(settings.scrapeTimeoutSeconds),
            maximumResponseBytes: settings.scrapeMaxBytes, urlPolicy: policy,
            userAgent: "Recall scraper (libcurl)"))
    }

    /// The page at `url` as a document, with the content type the server declared.
    ///
    /// - Throws: ``JobFailure``: permanent when the same request cannot succeed (a refused or
    ///   malformed URL, a 4xx answer, a page too large), retryable otherwise.
    public func fetch(_ url: String, options: ScrapeURLPayload.Options, tenant: String = "") async throws -> IngestDocument {
        var request = CurlKit.HTTPRequest(url: url, headers: [HTTPHeader("Accept", "text/html, text/markdown, text/plain;q=0.9")])
        request.redirects = options.followRedirects == false ? .none : .follow(maximum: 5)
        if let seconds = options.timeoutSeconds, seconds > 0 {
            request.timeout = .milliseconds(Int(min(seconds, Double(settings.scrapeTimeoutSeconds)) * 1000))
        }
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch let error as HTTPClientError {
            throw error.isTransient ? JobFailure.retryable("fetching failed: \(error)") : JobFailure.permanent("fetching failed: \(error)")
        }
        guard response.isSuccess else {
            let message = "the server answered HTTP \(response.status)"
            let retryable = response.status >= 500 || response.status == 408 || response.status == 429
            throw retryable ? JobFailure.retryable(message) : JobFailure.permanent(message + "; check the URL")
        }
        if let limit = options.maxBytes, response.body.count > limit {
            throw JobFailure.permanent("the page has \(response.body.count) bytes, more than max_bytes \(limit)")
        }
        return IngestDocument(
            content: .bytes(response.body), source: url, contentType: response.headers.value(for: "Content-Type"),
            metadata: options.metadata ?? [:], tenant: tenant)
    }

    /// Stops the fetcher's transfer threads.
    public func shutdown() async {
        await client.shutdown()
    }
}
