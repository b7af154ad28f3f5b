import Foundation

/// The real services that `make test` starts (Infrastructure/scripts/with-services.sh) and hands
/// to the tests through environment variables.
///
/// Outside CI a developer may run `swift test` without the services: tests that need one are
/// then skipped through ``isAvailable(_:)``. Under `CI=true` they always run, and
/// ``url(_:)`` throws a loud error when the variable is missing, so a broken setup can never
/// look like a green run.
public enum TestServices {
    public enum Service: String, Sendable {
        case redis = "RECALL_TEST_REDIS_URL"
        case postgres = "RECALL_TEST_DATABASE_URL"
    }

    public struct MissingService: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set: run the tests with `make test`, which starts Redis and PostgreSQL "
                + "and exports it (or `make services-up` and `source .services/env`)."
        }
    }

    /// True under CI (where a missing service must fail) or when the service's variable is set.
    public static func isAvailable(_ service: Service) -> Bool {
        isCI || value(service.rawValue) != nil
    }

    /// The service's URL; throws ``MissingService`` when `make test` did not provide it.
    public static func url(_ service: Service) throws -> String {
        guard let url = value(service.rawValue) else { throw MissingService(variable: service.rawValue) }
        return url
    }

    public static var isCI: Bool {
        let ci = ProcessInfo.processInfo.environment["CI"]?.lowercased()
        return ci == "true" || ci == "1"
    }

    static func value(_ name: String) -> String? {
        guard let raw = ProcessInfo.processInfo.environment[name], !raw.isEmpty else { return nil }
        return raw
    }
}
