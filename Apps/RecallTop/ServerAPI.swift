import AppSupport
import CurlKit
import Foundation

/// The recall-server endpoints the dashboard reads and the two it writes, over CurlKit.
///
/// The server is one the operator named, often on loopback, so no SSRF policy applies. The
/// bearer token goes in a header only; nothing this type returns ever contains it.
struct ServerAPI: Sendable {
    let server: RecallServerClient

    /// The server's base URL without a trailing slash.
    var base: String { server.base }

    /// `token` goes to the jobs routes as the API key and to the admin routes as the admin token:
    /// one operator credential, as `RECALL_TOKEN` has always been.
    init(base: String, token: String?, timeout: Duration) {
        server = RecallServerClient(base: base, adminToken: token, apiKey: token, timeout: timeout, userAgent: "recall-top")
    }

    /// Reads stats, metrics and jobs at once.
    func poll(jobsLimit: Int = 20) async -> PollResult {
        async let statsReply = fetch("/api/v1/cache/stats", access: .open)
        async let metricsReply = fetch("/metrics", access: .open)
        async let jobsReply = fetch("/api/v1/jobs?limit=\(jobsLimit)", access: .client)
        let replies = await [statsReply, metricsReply, jobsReply]
        var result = PollResult(uptime: Self.uptime(), date: Date())
        if replies.allSatisfy({ $0.response == nil }) {
            result.unreachable = replies.first?.failure ?? "no answer"
            return result
        }
        let decoder = JSONDecoder()
        for reply in replies {
            guard let response = reply.response else {
                result.problems.append("\(reply.path): \(reply.failure ?? "no answer")")
                continue
            }
            guard response.isSuccess else {
                result.problems.append("\(reply.path): \(Self.describe(response))")
                continue
            }
            switch reply.path {
            case "/api/v1/cache/stats":
                do { result.stats = try decoder.decode(CacheStatsSnapshot.self, from: response.body) } catch {
                    result.problems.append("\(reply.path): not the stats JSON")
                }
            case "/metrics":
                result.metrics = PrometheusText(parsing: response.text)
            default:
                do { result.jobs = try decoder.decode(JobsListing.self, from: response.body) } catch {
                    result.problems.append("/api/v1/jobs: not the jobs JSON")
                }
            }
        }
        return result
    }

    /// `POST /api/v1/cache/invalidate`; returns the outcome in words.
    func invalidate(_ target: InvalidationTarget, _ value: String) async -> String {
        let body = (try? JSONSerialization.data(withJSONObject: [target.field: value])) ?? Data()
        let what = "invalidate \(target.rawValue) \(value)"
        return await change(what, method: .post, path: "/api/v1/cache/invalidate", body: body)
    }

    /// `DELETE /api/v1/cache`; returns the outcome in words.
    func clear() async -> String {
        await change("clear", method: .delete, path: "/api/v1/cache", body: nil)
    }

    func shutdown() async {
        await server.shutdown()
    }

    // MARK: Requests

    private struct Reply: Sendable {
        let path: String
        let response: HTTPResponse?
        let failure: String?
    }

    private func fetch(_ pathAndQuery: String, access: RecallServerClient.Access) async -> Reply {
        let path = String(pathAndQuery.prefix { $0 != "?" })
        do {
            let response = try await server.send(.get, pathAndQuery, access: access)
            return Reply(path: path, response: response, failure: nil)
        } catch {
            return Reply(path: path, response: nil, failure: "\(error)")
        }
    }

    private func change(_ what: String, method: HTTPMethod, path: String, body: Data?) async -> String {
        do {
            let response = try await server.send(method, path, access: .admin, json: body)
            guard response.isSuccess else { return "\(what) failed: \(Self.describe(response))" }
            if let count = Self.removedCount(response.body) { return "\(what): \(count) entr\(count == 1 ? "y" : "ies") removed" }
            return "\(what): done (HTTP \(response.status))"
        } catch {
            return "\(what) failed: \(error)"
        }
    }

    /// `HTTP 401: message` from the server's `{"error": {"message"}}` body when it has one.
    static func describe(_ response: HTTPResponse) -> String {
        var text = "HTTP \(response.status)"
        if case .refused(_, _, let message?) = RecallServerError(response) { text += ": \(message)" }
        if response.status == 401 || response.status == 403 {
            text += " (give the server's token with --token or RECALL_TOKEN)"
        }
        return text
    }

    /// The number of entries a change removed, under whichever name the server uses for it.
    static func removedCount(_ body: Data) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        for key in ["deleted", "removed", "invalidated", "cleared", "count"] {
            if let number = object[key] as? NSNumber, !(object[key] is Bool) { return number.intValue }
        }
        return nil
    }

    static func uptime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
