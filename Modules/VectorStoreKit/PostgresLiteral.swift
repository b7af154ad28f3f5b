/// Text-format encodings for values sent as statement parameters.
///
/// These produce data, not SQL: the result always travels as a parameter, so the only escaping
/// that matters is the one PostgreSQL's input functions expect.
enum PostgresLiteral {
    /// pgvector's text form, `[0.25,-1,3.5e-05]`. Swift prints the shortest text that reads back
    /// as the same `Float`, which is what pgvector's `strtof` parses.
    static func vector(_ values: [Float]) -> String {
        var text = "["
        text.reserveCapacity(values.count * 11 + 2)
        for (index, value) in values.enumerated() {
            if index > 0 { text.append(",") }
            text.append(value.description)
        }
        text.append("]")
        return text
    }

    /// A one-dimensional array literal, `{"a","b \"quoted\""}`; every element is quoted so commas,
    /// braces and spaces inside elements need no special cases.
    static func array(_ elements: some Sequence<String>) -> String {
        var text = "{"
        var first = true
        for element in elements {
            if !first { text.append(",") }
            first = false
            text.append("\"")
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { text.append("\\") }
                text.unicodeScalars.append(character)
            }
            text.append("\"")
        }
        text.append("}")
        return text
    }
}
