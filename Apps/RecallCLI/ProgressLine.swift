import Foundation

/// Progress of a long command: on a terminal one line redrawn in place (bar, counts, rate, ETA);
/// elsewhere (pipes, logs, CI) a plain line per update, at most once a second.
final class ProgressLine: @unchecked Sendable {
    // Used from one task at a time; @unchecked because it keeps mutable timing state.
    private let label: String
    private let unit: String
    private let started = ContinuousClock.now
    private var lastPlain = ContinuousClock.now - .seconds(2)
    private let terminal: Bool
    private let enabled: Bool

    init(label: String, unit: String, enabled: Bool = true) {
        self.label = label
        self.unit = unit
        self.terminal = CommandOutput.isTerminal
        self.enabled = enabled
    }

    /// Shows `done` of `total` (`total` 0 when unknown), with `note` after the figures.
    func update(done: Int, total: Int, note: String = "") {
        guard enabled else { return }
        let elapsed = Self.seconds(ContinuousClock.now - started)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var eta = ""
        if total > 0, rate > 0, done < total {
            let remaining = Int((Double(total - done) / rate).rounded())
            eta = String(format: "  ETA %d:%02d", remaining / 60, remaining % 60)
        }
        let counts = total > 0 ? "\(done)/\(total) \(unit)" : "\(done) \(unit)"
        let figures = String(format: "%@  %.1f %@/s%@", counts, rate, unit, eta)
        if terminal {
            let width = 24
            let filled = total > 0 ? min(width, done * width / total) : 0
            let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
            let line = "\(label) [\(bar)] \(figures)\(note.isEmpty ? "" : "  \(note)")"
            FileHandle.standardOutput.write(Data("\r\u{1B}[K\(line)".utf8))
        } else if ContinuousClock.now - lastPlain >= .seconds(1) || (total > 0 && done >= total) {
            lastPlain = ContinuousClock.now
            print("\(label): \(figures)\(note.isEmpty ? "" : "  \(note)")")
        }
    }

    /// Ends the redrawn line so that what follows starts on a line of its own.
    func finish() {
        if enabled && terminal { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
