import CCurl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One libcurl easy handle and everything needed to run exchanges on it.
///
/// Created, used and freed by a single worker thread of ``CurlWorkerPool``. Every hop starts
/// with `curl_easy_reset`, which clears the options of the previous request but keeps the
/// handle's connection, DNS and TLS-session caches: that is what makes two requests to the same
/// server share one TCP connection.
final class CurlSession {
    private let handle: UnsafeMutableRawPointer?
    private let configuration: HTTPClientConfiguration
    private let ssrfGuard: SSRFGuard
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Response headers above this many bytes abort the transfer like an oversized body.
    static let maximumHeaderBytes = 256 << 10
    /// `CURLOPT_RESOLVE` entries never expire from a handle's DNS cache, so the pins this session
    /// made are dropped in one go once there are this many (a crawler meets many hosts).
    static let maximumPins = 256

    /// `host:port` of every pin added to this handle's DNS cache and not yet removed.
    private var pins: Set<String> = []

    init(configuration: HTTPClientConfiguration) {
        CurlGlobal.ensureInitialised()
        handle = curl_easy_init()
        self.configuration = configuration
        ssrfGuard = SSRFGuard(policy: configuration.urlPolicy)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    func close() {
        if let handle {
            // Drops the callbacks and userdata of the last transfer before libcurl tears down
            // its connections.
            curl_easy_reset(handle)
            curl_easy_cleanup(handle)
        }
        errorBuffer.deallocate()
    }

    /// Runs the request, following redirects when it asks for that, each hop cleared by the
    /// SSRF guard on its own.
    func exchange(_ job: TransferJob) -> Result<HTTPResponse, any Error> {
        guard let handle else {
            return .failure(HTTPClientError(.transfer, "libcurl could not create a handle (curl_easy_init failed)"))
        }
        var request = job.request
        var redirectsFollowed = 0
        do {
            while true {
                let url = try CurlURL(request.url)
                let (response, redirectTarget) = try perform(request, url: url, job: job, on: handle)
                guard case .follow(let maximum) = request.redirects,
                      let redirectTarget, (300..<400).contains(response.status), response.status != 304
                else {
                    return .success(response)
                }
                redirectsFollowed += 1
                if redirectsFollowed > maximum {
                    throw HTTPClientError(
                        .tooManyRedirects,
                        "\(url.origin) redirected more than \(maximum) time\(maximum == 1 ? "" : "s"); giving up"
                    )
                }
                let next = try CurlURL(redirectTarget)
                let sameOrigin = next.origin == url.origin
                request = request.redirected(to: redirectTarget, status: response.status, sameOrigin: sameOrigin)
            }
        } catch {
            return .failure(error)
        }
    }

    /// One request and one response on `handle`; returns the response and, for a 3xx, the
    /// absolute URL it points to.
    private func perform(
        _ request: HTTPRequest, url: CurlURL, job: TransferJob, on handle: UnsafeMutableRawPointer
    ) throws -> (HTTPResponse, String?) {
        let remaining = job.deadline - ContinuousClock.now
        guard remaining > .zero else { throw timedOut(url, job) }
        let clearance = try ssrfGuard.clear(url)

        curl_easy_reset(handle)
        let context = TransferContext(
            limit: configuration.maximumResponseBytes, job: job, ssrfGuard: ssrfGuard, clearance: clearance
        )
        var headerList: UnsafeMutablePointer<curl_slist>?
        var resolveList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            curl_slist_free_all(resolveList)
        }

        setLong(handle, CURLOPT_NOSIGNAL, 1)
        _ = recall_curl_setopt_pointer(handle, CURLOPT_CURLU, UnsafeMutableRawPointer(url.handle))
        setString(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        setString(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        // Redirects are followed by `exchange`, one checked hop at a time, never by libcurl.
        setLong(handle, CURLOPT_FOLLOWLOCATION, 0)
        setLong(handle, CURLOPT_MAXREDIRS, 0)
        setLong(handle, CURLOPT_CONNECTTIMEOUT_MS, min(configuration.connectTimeout, remaining).curlMilliseconds)
        setLong(handle, CURLOPT_TIMEOUT_MS, remaining.curlMilliseconds)
        setLong(handle, CURLOPT_TCP_KEEPALIVE, 1)
        // An empty proxy string disables the http_proxy/https_proxy/all_proxy variables.
        setString(handle, CURLOPT_PROXY, configuration.proxy ?? "")
        if configuration.acceptsCompressedResponses { setString(handle, CURLOPT_ACCEPT_ENCODING, "") }
        setString(handle, CURLOPT_USERAGENT, configuration.userAgent)
        errorBuffer[0] = 0
        _ = recall_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        // Rejects a too-large response early when its Content-Length is known; the write
        // callback enforces the same cap on bodies of unknown length (7.88 cannot).
        _ = recall_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maximumResponseBytes))

        let userdata = Unmanaged.passUnretained(context).toOpaque()
        _ = recall_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata)
        _ = recall_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            let context = Unmanaged<TransferContext>.fromOpaque(userdata!).takeUnretainedValue()
            return context.receiveBody(data, size * count)
        }
        _ = recall_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata)
        _ = recall_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            let context = Unmanaged<TransferContext>.fromOpaque(userdata!).takeUnretainedValue()
            return context.receiveHeader(data, size * count)
        }
        // The progress callback is how a cancelled Swift task stops a running transfer: libcurl
        // calls it at least once a second, and a non-zero return aborts.
        setLong(handle, CURLOPT_NOPROGRESS, 0)
        _ = recall_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, userdata)
        _ = recall_curl_setopt_xferinfo(handle) { userdata, _, _, _, _ in
            Unmanaged<TransferContext>.fromOpaque(userdata!).takeUnretainedValue().job.isCancelled ? 1 : 0
        }
        if case .pinned(let addresses) = clearance, configuration.proxy == nil {
            if !addresses.isEmpty, !url.hostIsAddress {
                if pins.count >= Self.maximumPins {
                    for pin in pins { resolveList = curl_slist_append(resolveList, "-" + pin) }
                    pins.removeAll()
                }
                let pinned = addresses.map(\.resolveEntryText).joined(separator: ",")
                var names = [url.host]
                // libcurl may look a fully qualified name up without its trailing dot: pin both.
                if url.host.hasSuffix(".") { names.append(String(url.host.dropLast())) }
                for name in names {
                    resolveList = curl_slist_append(resolveList, "\(name):\(url.port):\(pinned)")
                    pins.insert("\(name):\(url.port)")
                }
                _ = recall_curl_setopt_slist(handle, CURLOPT_RESOLVE, resolveList)
            }
            _ = recall_curl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, userdata)
            _ = recall_curl_setopt_opensocket(handle) { userdata, _, address in
                let context = Unmanaged<TransferContext>.fromOpaque(userdata!).takeUnretainedValue()
                return context.openSocket(address)
            }
        }

        var fields = request.headers.map { $0.value.isEmpty ? "\($0.name);" : "\($0.name): \($0.value)" }
        // Without this, libcurl sends `Expect: 100-continue` for bodies over 1 MB and waits.
        fields.append("Expect:")
        if request.body != nil, request.headers.value(for: "content-type") == nil {
            fields.append("Content-Type: application/octet-stream")
        }
        for field in fields { headerList = curl_slist_append(headerList, field) }
        _ = recall_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        let code = withBody(request.body) { pointer, count -> CURLcode in
            switch request.method {
            case .get where pointer == nil:
                setLong(handle, CURLOPT_HTTPGET, 1)
            case .head:
                setLong(handle, CURLOPT_NOBODY, 1)
            default:
                if let pointer {
                    // Not copied by libcurl: the body stays alive for the whole perform call.
                    _ = recall_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(count))
                    _ = recall_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: pointer))
                    if request.method != .post { setString(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue) }
                } else if request.method == .post {
                    _ = recall_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0)
                    setString(handle, CURLOPT_COPYPOSTFIELDS, "")
                } else {
                    setString(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
                }
            }
            return curl_easy_perform(handle)
        }
        withExtendedLifetime(context) {}

        guard code == CURLE_OK else { throw error(for: code, url: url, request: request, job: job, context: context) }

        var status = 0
        _ = recall_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let remoteAddress = getString(handle, CURLINFO_PRIMARY_IP)
        // Defence in depth: the socket hook already vetted the connection; a reused connection was
        // vetted when it was opened. Refuse a response from anywhere else all the same.
        if case .pinned = clearance, configuration.proxy == nil,
           let remoteAddress, let address = IPAddress(remoteAddress),
           !ssrfGuard.permits(address, clearance: clearance),
           let category = ssrfGuard.policy.refusal(of: address) {
            throw SSRFGuard.refusal(host: url.host, address: address, category: category, literal: url.hostIsAddress)
        }
        let response = HTTPResponse(
            status: status,
            headers: context.headers,
            body: context.body,
            url: getString(handle, CURLINFO_EFFECTIVE_URL) ?? request.url,
            remoteAddress: remoteAddress
        )
        let redirectTarget = (300..<400).contains(status) ? getString(handle, CURLINFO_REDIRECT_URL) : nil
        return (response, redirectTarget)
    }

    /// Gives `body`'s bytes to `work` (nil when there is no body) for the duration of the call.
    private func withBody<R>(_ body: Data?, _ work: (UnsafeRawPointer?, Int) -> R) -> R {
        guard let body else { return work(nil, 0) }
        if body.isEmpty {
            return withUnsafeBytes(of: UInt8(0)) { work($0.baseAddress, 0) }
        }
        return body.withUnsafeBytes { work($0.baseAddress, $0.count) }
    }

    private func error(
        for code: CURLcode, url: CurlURL, request: HTTPRequest, job: TransferJob, context: TransferContext
    ) -> any Error {
        let detail = redact(String(cString: errorBuffer).trimmingSpaces(), request: request)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        if let refused = context.refusedAddress {
            return SSRFGuard.refusal(
                host: url.host, address: refused.address, category: refused.category, literal: url.hostIsAddress)
        }
        if context.exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
            return HTTPClientError(
                .responseTooLarge,
                "the response from \(url.origin) is larger than the \(configuration.maximumResponseBytes)-byte limit; the transfer was aborted"
            )
        }
        switch code {
        case CURLE_ABORTED_BY_CALLBACK where job.isCancelled:
            return CancellationError()
        case CURLE_OPERATION_TIMEDOUT:
            return timedOut(url, job, detail: reason)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return HTTPClientError(.couldNotResolve, "could not resolve \(url.origin): \(reason)")
        case CURLE_COULDNT_CONNECT:
            return HTTPClientError(.couldNotConnect, "could not connect to \(url.origin): \(reason)")
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return HTTPClientError(.invalidURL, "cannot fetch \(url.origin): \(reason)")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return HTTPClientError(.tls, "TLS with \(url.origin) failed: \(reason)")
        default:
            return HTTPClientError(.transfer, "the exchange with \(url.origin) failed: \(reason)")
        }
    }

    private func timedOut(_ url: CurlURL, _ job: TransferJob, detail: String? = nil) -> HTTPClientError {
        let limit = job.timeout.curlMilliseconds
        let suffix = detail.map { " (\($0))" } ?? ""
        return HTTPClientError(.timeout, "the request to \(url.origin) did not finish within \(limit) ms\(suffix)")
    }

    /// libcurl's messages name hosts, not headers, but a header value must never reach a log
    /// through one: any that appears is masked.
    private func redact(_ message: String, request: HTTPRequest) -> String {
        var text = message
        for header in request.headers where header.value.count >= 6 && text.contains(header.value) {
            text = text.replacing(header.value, with: "***")
        }
        return text
    }

    private func setLong(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) {
        _ = recall_curl_setopt_long(handle, option, value)
    }

    private func setString(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String) {
        // String options are copied by libcurl (since 7.17), so a temporary C string is enough.
        _ = recall_curl_setopt_string(handle, option, value)
    }

    private func getString(_ handle: UnsafeMutableRawPointer, _ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard recall_curl_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }
}
