import Foundation

/// Number and column formatting for the dashboard.
enum Format {
    static func percent(_ ratio: Double) -> String {
        ratio.isFinite ? String(format: "%.1f%%", ratio * 100) : "–"
    }

    static func count(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return String(format: "%.1f", value)
    }

    static func rate(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    static func seconds(_ value: Double) -> String {
        value.rounded() == value ? "\(Int(value))s" : String(format: "%.1fs", value)
    }

    static func minutes(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 60).rounded())) s" : String(format: "%.0f min", value)
    }

    static func bytes(_ value: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var scaled = value
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f", scaled) + " " + units[unit]
    }

    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }

    /// Cells laid out in columns: a positive width pads on the right (text), a negative one on the
    /// left (numbers), 0 takes the rest of the line. A cell too long for its column is cut.
    static func columns(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).map { cell, width -> String in
            if width == 0 { return cell }
            let size = abs(width)
            let cut = cell.count > size ? String(cell.prefix(size)) : cell
            let pad = String(repeating: " ", count: size - cut.count)
            return width > 0 ? cut + pad : pad + cut
        }.joined(separator: " ").trimmingTrailingSpaces()
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
