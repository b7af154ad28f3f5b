/// One thing wrong with the configuration, phrased so the operator can fix it without reading code.
public struct ConfigurationProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The variable at fault, or the `.env` file path for a syntax error.
    public let variable: String
    /// The offending value, already masked when it is a secret; nil when the variable is missing.
    public let value: String?
    /// What is wrong and what is allowed.
    public let problem: String
    /// How to fix it.
    public let fix: String

    public init(variable: String, value: String?, problem: String, fix: String) {
        self.variable = variable
        self.value = value
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        let shown = value.map { "=\($0)" } ?? ""
        return "\(variable)\(shown): \(problem). Fix: \(fix)"
    }
}

/// Every problem found in one load, reported together so that one run shows them all.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    public var description: String {
        let noun = problems.count == 1 ? "problem" : "problems"
        return "configuration has \(problems.count) \(noun):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
