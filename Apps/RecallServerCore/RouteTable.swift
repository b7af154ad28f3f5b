import Hummingbird

/// The routes the server registered, as method and template, so that a path a route knows under
/// another method is answered 405 with `Allow`, and the OpenAPI test can compare them with the
/// spec.
public struct RouteTable: Sendable {
    /// One registered route: `GET` and `/api/v1/jobs/{id}`.
    public struct Route: Sendable, Hashable {
        public let method: String
        public let template: String
    }

    public private(set) var routes: [Route] = []

    mutating func add(_ method: HTTPRequest.Method, _ template: String) {
        routes.append(Route(method: method.rawValue, template: template))
    }

    /// The methods registered for templates that match `path`; empty when none matches.
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            let parts = route.template.split(separator: "/", omittingEmptySubsequences: true)
            guard parts.count == segments.count else { return false }
            return zip(parts, segments).allSatisfy { part, segment in part.hasPrefix("{") || part == segment }
        }.map(\.method)
    }
}
