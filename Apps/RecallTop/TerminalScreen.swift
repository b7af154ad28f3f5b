import CNcurses
import Foundation

/// The terminal in curses mode, owned by one object: the only code that calls ncurses.
///
/// ``close()`` gives the terminal back (echo, line mode, cursor, the normal screen); it runs on
/// every way out: the end of the program, SIGINT or SIGTERM (the run loop turns them into a
/// normal exit), errors (callers `defer` it), and `deinit` as a last resort.
/// Use it from one thread only: ncurses is not thread-safe.
final class TerminalScreen {
    struct NotATerminal: Error, CustomStringConvertible {
        let description: String
    }

    /// Whether the terminal's character set is UTF-8 (block glyphs) or something narrower (ASCII).
    let unicode: Bool
    private var open = true
    private let colors: Bool

    /// Enters curses mode; `keyTimeout` is how long ``readKey()`` waits for a key.
    init(keyTimeout: Duration) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw NotATerminal(description: "standard input and output must be a terminal; for scripts use `recall cache stats --json`")
        }
        setlocale(LC_ALL, "")
        unicode = String(cString: nl_langinfo(nl_item(CODESET))).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        // newterm, unlike initscr, returns nil for an unknown TERM instead of exiting the process.
        guard newterm(nil, fdopen(STDOUT_FILENO, "w"), fdopen(STDIN_FILENO, "r")) != nil else {
            throw NotATerminal(description: "cannot drive this terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset")); set TERM, e.g. TERM=xterm-256color")
        }
        cbreak()
        noecho()
        keypad(recall_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        let milliseconds = keyTimeout.components.seconds * 1000 + keyTimeout.components.attoseconds / 1_000_000_000_000_000
        timeout(Int32(clamping: milliseconds))
        colors = has_colors()
        if colors {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_RED), -1)
        }
    }

    deinit { close() }

    /// Leaves curses mode; safe to call more than once.
    func close() {
        guard open else { return }
        open = false
        curs_set(1)
        endwin()
    }

    /// Rows and columns right now (they change on KEY_RESIZE).
    var size: (rows: Int, columns: Int) {
        (Int(recall_lines()), Int(recall_cols()))
    }

    /// Adopts the terminal's size if it changed; true when it did.
    ///
    /// ncurses learns of a resize from SIGWINCH, which in a process full of threads (libcurl,
    /// Swift concurrency) can land where ncurses never sees it; asking the kernel is reliable.
    func followResize() -> Bool {
        var rows: Int32 = 0
        var columns: Int32 = 0
        guard recall_terminal_size(STDOUT_FILENO, &rows, &columns) == 0,
              rows != recall_lines() || columns != recall_cols() else { return false }
        resizeterm(rows, columns)
        clear()
        return true
    }

    /// Replaces the screen with `lines`.
    func draw(_ lines: [ScreenLine]) {
        erase()
        let (rows, columns) = size
        for (row, line) in lines.prefix(rows).enumerated() {
            // The bottom-right cell cannot be written without scrolling in some terminals.
            let room = row == rows - 1 ? columns - 1 : columns
            let text = line.text.count > room ? String(line.text.prefix(room)) : line.text
            let attributes = attributes(for: line.style)
            if attributes != 0 { recall_attr_on(attributes) }
            _ = recall_put(Int32(row), 0, text, -1)
            if attributes != 0 { recall_attr_off(attributes) }
        }
        refresh()
    }

    /// The next key, or nil when none came within the timeout.
    func readKey() -> KeyPress? {
        let code = getch()
        switch code {
        case ERR: return nil
        case recall_key_resize():
            // After a resize ncurses' idea of the screen is stale: repaint every cell next time.
            clear()
            return .resize
        case 10, 13, KEY_ENTER: return .enter
        case 27: return .escape
        case 8, 127, KEY_BACKSPACE: return .backspace
        case 32...126: return .character(Character(UnicodeScalar(UInt8(code))))
        case 128...255: return utf8Character(startingWith: UInt8(code))
        default: return .other
        }
    }

    /// Reads the rest of a UTF-8 sequence that getch hands over one byte at a time.
    private func utf8Character(startingWith lead: UInt8) -> KeyPress {
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        var bytes = [lead]
        while bytes.count < length {
            let next = getch()
            guard next >= 128, next <= 255 else { break }
            bytes.append(UInt8(next))
        }
        guard let text = String(validating: bytes, as: UTF8.self), let character = text.first else { return .other }
        return .character(character)
    }

    private func attributes(for style: ScreenLine.Style) -> Int32 {
        switch style {
        case .normal: 0
        case .bold: recall_attr_bold()
        case .reverse: recall_attr_reverse()
        case .alert: recall_attr_bold() | (colors ? recall_color_pair(1) : 0)
        }
    }
}
