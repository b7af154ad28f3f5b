import Hummingbird
import MetricsKit

/// Counts every answered request in `http_requests_total{method,route,status}` and times it in
/// `http_request_duration_seconds{method,route}`, by route template (never the raw path).
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = RecallRequestContext
    let metrics: RecallMetrics

    /// Methods outside this set share one label value, so a client inventing methods cannot
    /// create series.
    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    @concurrent func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = Self.knownMethods.contains(request.method.rawValue) ? request.method.rawValue : "OTHER"
        do {
            let response = try await next(request, context)
            record(method: method, context: context, status: Int(response.status.code), since: start)
            return response
        } catch {
            record(method: method, context: context, status: 500, since: start)
            throw error
        }
    }

    private func record(method: String, context: Context, status: Int, since start: ContinuousClock.Instant) {
        // The router names the matched template; its not-found responder writes "NotFound".
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? HTTPMetrics.unmatchedRoute
        metrics.http.record(method: method, route: route, status: status, duration: .now - start)
    }
}
