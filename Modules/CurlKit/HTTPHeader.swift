/// One header field, in the order it is sent or was received.
///
/// Printed (`description`, `dump`, debugger), a credential's value shows as `***`.
public struct HTTPHeader: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The field name as given (matching is case-insensitive).
    public var name: String
    /// The field value.
    public var value: String

    /// A header field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Names whose values are credentials: they are dropped when a redirect leaves the original
    /// origin, and never appear in messages.
    static let credentialNames: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "x-goog-api-key", "x-api-key",
    ]

    /// True when the name carries a credential (see ``credentialNames``).
    var isCredential: Bool { Self.credentialNames.contains(name.lowercased()) }

    /// `name: value`, with a credential's value masked.
    public var description: String { "\(name): \(isCredential ? "***" : value)" }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "value": isCredential ? "***" : value])
    }
}

extension Array where Element == HTTPHeader {
    /// The value of the first field called `name` (case-insensitive), if any.
    public func value(for name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
