import Logging

/// Keeps a handler's metadata aside and hands it over with each message, so that setting a key
/// costs a dictionary write.
///
/// `StreamLogHandler` formats all of its metadata again each time a key is set. A server sets keys
/// on every request (Hummingbird's request id, ours, the tenant) while most requests log nothing
/// at the configured level; this handler formats metadata only for messages that are written.
/// The lines are the same: the base handler merges and formats the metadata it is given (keys
/// set on the logger now take precedence over a metadata provider's, of which the programs set
/// none).
struct DeferredMetadataLogHandler: LogHandler {
    private var base: any LogHandler
    var metadata: Logger.Metadata = [:]

    init(_ base: any LogHandler) {
        self.base = base
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, new in new }
        }
        base.log(event: event)
    }
}
