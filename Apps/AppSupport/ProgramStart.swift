import ConfigKit
import Foundation
import Logging

/// What every Recall program does before its own work: load the one configuration, set up
/// logging, and make the process safe for the C libraries underneath.
public enum ProgramStart {
    /// The exit status for configuration errors (EX_CONFIG from sysexits.h), distinct from plain
    /// failure (1) and usage errors, so scripts can tell them apart.
    public static let configurationErrorExitCode: Int32 = 78

    /// Loads settings or prints every problem to standard error and exits with
    /// ``configurationErrorExitCode``.
    public static func loadSettings(envFile: String? = nil, program: String) -> LoadedSettings {
        ignoreBrokenPipes()
        do {
            let loaded = try SettingsLoader.load(envFile: envFile)
            for warning in loaded.warnings { FileHandle.standardError.write(Data("\(program): warning: \(warning)\n".utf8)) }
            return loaded
        } catch {
            FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
            exit(configurationErrorExitCode)
        }
    }

    /// Bootstraps swift-log once, as text or JSON by `LOG_FORMAT`, at `LOG_LEVEL`.
    public static func bootstrapLogging(_ settings: Settings) {
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        let format = settings.logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = switch format {
            case .json: JSONLogHandler(label: label)
            case .text: DeferredMetadataLogHandler(StreamLogHandler.standardError(label: label))
            }
            handler.logLevel = level
            return handler
        }
    }

    /// hiredis 0.14 and libcurl (with CURLOPT_NOSIGNAL) write to sockets without MSG_NOSIGNAL: a
    /// peer that hung up must give an error, not kill the process with SIGPIPE.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }
}
