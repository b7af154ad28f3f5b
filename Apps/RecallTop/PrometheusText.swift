/// The samples of a Prometheus text exposition (format 0.0.4), read tolerantly.
///
/// recall-top only needs counters and gauges by name and label, so comments, `# TYPE` lines,
/// timestamps and lines it cannot read are skipped instead of failing the whole scrape: a server
/// that adds a metric of an unfamiliar shape must not blank the dashboard.
struct PrometheusText: Sendable, Equatable {
    /// One sample: a series (name and labels) and its value.
    struct Sample: Sendable, Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample]

    init(samples: [Sample]) {
        self.samples = samples
    }

    /// Parses `text`; lines that are not samples are ignored.
    init(parsing text: String) {
        samples = text.split(whereSeparator: \.isNewline).compactMap { Self.sample(from: Substring($0)) }
    }

    /// The sum of every series of `name` whose labels include `matching`.
    func sum(_ name: String, matching: [String: String] = [:]) -> Double? {
        let values = samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }.map(\.value)
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    /// The sums of `name` grouped by the value of `label` (series without it are left out).
    func sums(_ name: String, by label: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for sample in samples where sample.name == name {
            guard let key = sample.labels[label] else { continue }
            result[key, default: 0] += sample.value
        }
        return result
    }

    static func sample(from rawLine: Substring) -> Sample? {
        let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
        guard let first = line.first, first != "#" else { return nil }
        var index = line.startIndex
        while index < line.endIndex, isNameCharacter(line[index]) { index = line.index(after: index) }
        let name = String(line[line.startIndex..<index])
        guard !name.isEmpty else { return nil }
        var labels: [String: String] = [:]
        if index < line.endIndex, line[index] == "{" {
            guard let (parsed, end) = parseLabels(line, from: line.index(after: index)) else { return nil }
            labels = parsed
            index = end
        }
        let fields = line[index...].split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let valueText = fields.first, let value = parseValue(valueText) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == ":")
    }

    /// Reads `name="value",…}` from `start`; returns the labels and the index after `}`.
    private static func parseLabels(_ line: Substring, from start: Substring.Index) -> ([String: String], Substring.Index)? {
        var labels: [String: String] = [:]
        var index = start
        func skipSpaces() {
            while index < line.endIndex, line[index] == " " || line[index] == "," { index = line.index(after: index) }
        }
        while true {
            skipSpaces()
            guard index < line.endIndex else { return nil }
            if line[index] == "}" { return (labels, line.index(after: index)) }
            let nameStart = index
            while index < line.endIndex, isNameCharacter(line[index]) { index = line.index(after: index) }
            let name = String(line[nameStart..<index])
            guard !name.isEmpty, index < line.endIndex, line[index] == "=" else { return nil }
            index = line.index(after: index)
            guard index < line.endIndex, line[index] == "\"" else { return nil }
            index = line.index(after: index)
            var value = ""
            var closed = false
            while index < line.endIndex {
                let character = line[index]
                index = line.index(after: index)
                if character == "\"" {
                    closed = true
                    break
                }
                if character == "\\", index < line.endIndex {
                    let escaped = line[index]
                    index = line.index(after: index)
                    value.append(escaped == "n" ? "\n" : escaped)
                } else {
                    value.append(character)
                }
            }
            guard closed else { return nil }
            labels[name] = value
        }
    }

    private static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}
