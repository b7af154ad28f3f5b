/// A reason a program cannot start with its configuration: programs print it and exit with
/// status 78 (configuration error), as for a bad setting.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to fix it; free of secrets.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
