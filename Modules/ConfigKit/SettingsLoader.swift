import Configuration
import Foundation

/// Where a setting's value came from.
public enum SettingSource: String, Sendable, Codable {
    case defaultValue = "default"
    case envFile = ".env"
    case environment
}

/// Settings together with what `recall config check` reports about them.
public struct LoadedSettings: Sendable {
    public let settings: Settings
    /// The source of every variable, by name.
    public let sources: [String: SettingSource]
    /// Things that work but are probably not what the operator meant (for example an unknown
    /// variable in `.env`, usually a typo).
    public let warnings: [String]
}

/// The one configuration loader of every Recall program: defaults < `.env` file < environment.
///
/// Layering and secret tracking use swift-configuration's providers. The `.env` file is parsed
/// by ``DotEnvFile`` first, because the provider's own reader silently skips malformed lines and
/// keeps quotes and `export ` prefixes in names (see docs/adr/0001-configuration.md).
public enum SettingsLoader {
    /// Loads and validates the settings.
    ///
    /// - Parameters:
    ///   - environment: the process environment (injectable for tests).
    ///   - envFile: an explicit `.env` path (`--env-file`); it must exist. When nil, `ENV_FILE`
    ///     from the environment is used (it must exist too), else `.env` in the current directory
    ///     if present.
    /// - Throws: ``ConfigurationError`` listing every problem found.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        envFile: String? = nil
    ) throws(ConfigurationError) -> LoadedSettings {
        let explicitPath = envFile ?? environment["ENV_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let path = explicitPath ?? ".env"
        let file: DotEnvFile?
        do {
            file = try DotEnvFile.load(path: path)
        } catch let error as DotEnvFile.SyntaxError {
            throw ConfigurationError(problems: [
                ConfigurationProblem(
                    variable: error.path, value: nil,
                    problem: "line \(error.line) cannot be read: \(error.reason)",
                    fix: "write each setting as KEY=value on its own line (see .env.example)"
                )
            ])
        } catch {
            throw ConfigurationError(problems: [
                ConfigurationProblem(variable: path, value: nil, problem: "cannot be read (\(error))", fix: "check the file")
            ])
        }
        if file == nil, let explicitPath {
            let variable = envFile != nil ? "--env-file" : "ENV_FILE"
            throw ConfigurationError(problems: [
                ConfigurationProblem(
                    variable: variable, value: explicitPath, problem: "no such file",
                    fix: "give the path of an existing .env file, or unset \(variable) to use ./.env"
                )
            ])
        }
        let fileValues = file?.values ?? [:]
        return try validate(environment: environment, fileValues: fileValues, envFilePath: file?.path)
    }

    static func validate(
        environment: [String: String],
        fileValues: [String: String],
        envFilePath: String?
    ) throws(ConfigurationError) -> LoadedSettings {
        let known = Set(SettingVariable.all.map(\.name))
        let secrets = SecretsSpecifier<String, String>.specific(
            Set(SettingVariable.all.filter { $0.isSecret || $0.mayContainCredentials }.map(\.name))
        )
        // Only Recall's own variables are layered: the rest of the environment is not ours to read.
        let reader = ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: environment.filter { known.contains($0.key) }, secretsSpecifier: secrets),
            EnvironmentVariablesProvider(environmentVariables: fileValues.filter { known.contains($0.key) }, secretsSpecifier: secrets),
        ])

        var sources: [String: SettingSource] = [:]
        for variable in SettingVariable.all {
            if environment[variable.name] != nil {
                sources[variable.name] = .environment
            } else if fileValues[variable.name] != nil {
                sources[variable.name] = .envFile
            } else {
                sources[variable.name] = .defaultValue
            }
        }
        var warnings: [String] = []
        for key in fileValues.keys.sorted() where !known.contains(key) {
            let hint = closestVariable(to: key).map { " (did you mean \($0)?)" } ?? ""
            warnings.append("\(envFilePath ?? ".env"): \(key) is not a Recall setting and is ignored\(hint)")
        }

        var check = Validation(reader: reader)
        let settings = check.settings(envFilePath: envFilePath)
        if !check.problems.isEmpty { throw ConfigurationError(problems: check.problems) }
        return LoadedSettings(settings: settings, sources: sources, warnings: warnings)
    }

    private static func closestVariable(to key: String) -> String? {
        let upper = key.uppercased()
        let best = SettingVariable.all.map { ($0.name, editDistance(upper, $0.name)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 2 else { return nil }
        return best.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
