import Testing
@testable import ConfigKit

@Suite("DotEnvFile syntax")
struct DotEnvFileTests {
    @Test("comments, blank lines, export prefix, quotes and values with =")
    func acceptedSyntax() throws {
        let text = """
            # a comment

            PLAIN=value
            export EXPORTED=yes
            SPACED = padded value
            DOUBLE="quoted # not a comment"
            SINGLE='literal \\n stays'
            ESCAPES="line1\\nline2 \\"q\\""
            EQUALS=postgresql://u:p@h:5432/db?sslmode=disable&a=b
            INLINE=value # trailing comment
            HASH=abc#def
            EMPTY=
            """
        let file = try DotEnvFile(parsing: text, path: "test.env")
        let values = file.values
        #expect(values["PLAIN"] == "value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SPACED"] == "padded value")
        #expect(values["DOUBLE"] == "quoted # not a comment")
        #expect(values["SINGLE"] == "literal \\n stays")
        #expect(values["ESCAPES"] == "line1\nline2 \"q\"")
        #expect(values["EQUALS"] == "postgresql://u:p@h:5432/db?sslmode=disable&a=b")
        #expect(values["INLINE"] == "value")
        #expect(values["HASH"] == "abc#def")
        #expect(values["EMPTY"] == "")
        #expect(file.assignments.first { $0.key == "PLAIN" }?.line == 3)
    }

    @Test("Windows line endings are accepted")
    func crlf() throws {
        let file = try DotEnvFile(parsing: "A=1\r\nB=2\r\n", path: "crlf.env")
        #expect(file.values == ["A": "1", "B": "2"])
    }

    @Test("a later assignment wins, as in a shell")
    func lastAssignmentWins() throws {
        let file = try DotEnvFile(parsing: "A=1\nA=2\n")
        #expect(file.values["A"] == "2")
    }

    @Test("a line that is not an assignment names the file and line")
    func malformedLine() {
        let error = #expect(throws: DotEnvFile.SyntaxError.self) {
            try DotEnvFile(parsing: "A=1\n\nthis line is not an assignment\n", path: "conf/.env")
        }
        #expect(error?.path == "conf/.env")
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("conf/.env:3:") == true)
    }

    @Test("an unclosed quote and a bad name are errors")
    func badQuoteAndName() {
        #expect(throws: DotEnvFile.SyntaxError.self) { try DotEnvFile(parsing: "A=\"open\n") }
        #expect(throws: DotEnvFile.SyntaxError.self) { try DotEnvFile(parsing: "1ABC=x\n") }
        #expect(throws: DotEnvFile.SyntaxError.self) { try DotEnvFile(parsing: "A=\"x\" junk\n") }
    }

    @Test("a malformed line never echoes what follows its first word")
    func malformedLineHidesValue() {
        let error = #expect(throws: DotEnvFile.SyntaxError.self) {
            try DotEnvFile(parsing: "GEMINI_API_KEY canary-secret-value\n")
        }
        #expect(error?.description.contains("canary-secret-value") == false)
    }
}
