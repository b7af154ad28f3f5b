/// A row of block characters, one per value, scaled between fixed bounds.
///
/// Hit rates are drawn on a fixed 0…1 scale, not the window's own minimum and maximum, so that a
/// flat 99% does not look like a jagged line.
struct Sparkline: Sendable {
    /// The glyphs from empty to full.
    let levels: [Character]

    static let blocks = Sparkline(levels: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"])
    static let ascii = Sparkline(levels: ["_", ".", "-", "=", "+", "*", "#", "@"])

    /// The last `width` values drawn; `nil` values (no data for that interval) are blanks.
    func render(_ values: [Double?], width: Int, lower: Double = 0, upper: Double = 1) -> String {
        guard width > 0 else { return "" }
        let shown = values.suffix(width)
        let span = upper - lower
        return String(shown.map { value -> Character in
            guard let value, value.isFinite, span > 0 else { return " " }
            let fraction = min(1, max(0, (value - lower) / span))
            let index = Int((fraction * Double(levels.count - 1)).rounded())
            return levels[index]
        })
    }
}
