import Foundation
import Synchronization

/// The value last decoded for each cache key, with the bytes it was decoded from, so that a hit
/// whose stored bytes are the same as last time reuses the value instead of decoding it again.
///
/// The bytes are still read from the store on every lookup and compared in full: what is served
/// is always what the store holds now, whichever process wrote it. Only the decoding is saved.
final class DecodedValues: Sendable {
    private struct Entry {
        let bytes: Data
        let value: any Sendable
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    /// - Parameter capacity: keys remembered; past it the table starts over (hot keys return at
    ///   once, and the table's memory stays bounded).
    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// The value decoded earlier from exactly `bytes` under `key`, if it is a `T`.
    func value<T>(_ type: T.Type, for key: String, bytes: Data) -> T? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.bytes == bytes else { return nil }
            return entry.value as? T
        }
    }

    /// Remembers that `bytes` under `key` decoded to `value`.
    func remember(_ value: some Sendable, for key: String, bytes: Data) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(bytes: bytes, value: value)
        }
    }
}
